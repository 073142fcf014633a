// Package detect names the kinds of personal data and secrets the processor
// finds and holds the validators that tell a real value from a look-alike:
// the Luhn check of payment cards, the mod-97 check of IBANs, the US SSN
// allocation rules, the shapes of tokens and keys. Validators are pure
// functions on candidate text; finding candidates is the scanner's job.
package detect

import "strings"

// Type identifies a detector. Built-in types come first; custom detectors
// from the configuration are numbered from NumBuiltin on.
type Type uint16

const (
	Email Type = iota
	Phone
	PaymentCard
	IBAN
	USSSN
	IPv4
	IPv6
	MAC
	URLCredentials
	JWT
	PrivateKey
	AWSAccessKey
	AWSSecretKey
	OpenAIKey
	AnthropicKey
	GitHubToken
	SlackToken
	GoogleAPIKey
	StripeKey
	SecretAssignment
	// NumBuiltin is the number of built-in detectors.
	NumBuiltin
)

var names = [NumBuiltin]string{
	Email:            "email",
	Phone:            "phone",
	PaymentCard:      "payment_card",
	IBAN:             "iban",
	USSSN:            "us_ssn",
	IPv4:             "ipv4",
	IPv6:             "ipv6",
	MAC:              "mac_address",
	URLCredentials:   "url_credentials",
	JWT:              "jwt",
	PrivateKey:       "private_key",
	AWSAccessKey:     "aws_access_key",
	AWSSecretKey:     "aws_secret_key",
	OpenAIKey:        "openai_api_key",
	AnthropicKey:     "anthropic_api_key",
	GitHubToken:      "github_token",
	SlackToken:       "slack_token",
	GoogleAPIKey:     "google_api_key",
	StripeKey:        "stripe_key",
	SecretAssignment: "secret_assignment",
}

// priority orders built-in types when two matches overlap: the more specific
// type names the merged match.
var priority = [NumBuiltin]uint8{
	PrivateKey:       100,
	JWT:              90,
	URLCredentials:   85,
	AWSAccessKey:     80,
	OpenAIKey:        80,
	AnthropicKey:     81,
	GitHubToken:      80,
	SlackToken:       80,
	GoogleAPIKey:     80,
	StripeKey:        80,
	AWSSecretKey:     75,
	Email:            70,
	IBAN:             65,
	PaymentCard:      60,
	USSSN:            55,
	Phone:            50,
	MAC:              45,
	IPv6:             40,
	IPv4:             35,
	SecretAssignment: 20,
}

// CustomPriority ranks custom detectors: above the generic secret assignment,
// below every typed built-in detector.
const CustomPriority = 30

// Builtin lists the built-in types in order.
func Builtin() []Type {
	t := make([]Type, NumBuiltin)
	for i := range t {
		t[i] = Type(i)
	}
	return t
}

// Name returns the configuration and telemetry name of a built-in type, ""
// for others.
func (t Type) Name() string {
	if t < NumBuiltin {
		return names[t]
	}
	return ""
}

// Priority ranks a built-in type; custom types rank CustomPriority.
func (t Type) Priority() uint8 {
	if t < NumBuiltin {
		return priority[t]
	}
	return CustomPriority
}

// ByName returns the built-in type with the given name.
func ByName(name string) (Type, bool) {
	for i, n := range names {
		if n == name {
			return Type(i), true
		}
	}
	return 0, false
}

// Label returns the placeholder label for a detector name: "email" → "EMAIL",
// and "SECRET" for the generic secret assignment.
func Label(name string) string {
	if name == names[SecretAssignment] {
		return "SECRET"
	}
	return strings.ToUpper(name)
}
