// Package corpus generates labelled text for measuring the detectors: chat
// messages, log lines and tool outputs that mix personal data and secrets in
// the formats people write them with hard negatives that look like them
// (order numbers failing Luhn, IBANs with a wrong checksum, invalid SSNs,
// version strings, timestamps, UUIDs, hashes, prices). Every sample carries
// its ground truth: the byte ranges of the values and their types.
package corpus

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
)

// Label marks Text[Start:End] as a value of Type.
type Label struct {
	Start, End int
	Type       detect.Type
}

// Sample is one labelled text.
type Sample struct {
	Text   string
	Labels []Label
}

// Generator produces samples; the same seed gives the same corpus.
type Generator struct {
	rng *rand.Rand
}

// New returns a generator.
func New(seed uint64) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, 0x5eed_c0ffee))}
}

// builder writes text and records labels at their offsets.
type builder struct {
	b      strings.Builder
	labels []Label
}

func (b *builder) text(s string) { b.b.WriteString(s) }

func (b *builder) value(t detect.Type, s string) {
	start := b.b.Len()
	b.b.WriteString(s)
	b.labels = append(b.labels, Label{Start: start, End: b.b.Len(), Type: t})
}

// piece writes a labelled value inside its surrounding text: before and after
// are unlabelled.
func (b *builder) piece(before string, t detect.Type, v, after string) {
	b.text(before)
	b.value(t, v)
	b.text(after)
}

func (g *Generator) pick(xs ...string) string { return xs[g.rng.IntN(len(xs))] }

func (g *Generator) digits(n int) string {
	var sb strings.Builder
	for range n {
		sb.WriteByte(byte('0' + g.rng.IntN(10)))
	}
	return sb.String()
}

func (g *Generator) chars(n int, alphabet string) string {
	var sb strings.Builder
	for range n {
		sb.WriteByte(alphabet[g.rng.IntN(len(alphabet))])
	}
	return sb.String()
}

const (
	upper    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerABC = "abcdefghijklmnopqrstuvwxyz"
	digitSet = "0123456789"
	alnum    = upper + lowerABC + digitSet
	b64url   = alnum + "-_"
	hexLower = "0123456789abcdef"
)

// mixed returns n characters of alphabet with at least one upper-case
// letter, one lower-case letter and one digit (keys are random strings; one
// without a digit is possible but vanishingly rare in real keys).
func (g *Generator) mixed(n int, alphabet string) string {
	for {
		s := g.chars(n, alphabet)
		if strings.ContainsAny(s, upper) && strings.ContainsAny(s, lowerABC) && strings.ContainsAny(s, digitSet) {
			return s
		}
	}
}

// Sample returns one text of one to four sentences, each with a value or a
// hard negative.
func (g *Generator) Sample() Sample {
	var b builder
	n := 1 + g.rng.IntN(4)
	for i := range n {
		if i > 0 {
			b.text(g.pick(" ", "\n", " ", "  ", "\n\n"))
		}
		if g.rng.IntN(3) == 0 {
			b.text(g.negative())
		} else {
			g.positive(&b)
		}
	}
	return Sample{Text: b.b.String(), Labels: b.labels}
}

// Samples returns n samples.
func (g *Generator) Samples(n int) []Sample {
	out := make([]Sample, n)
	for i := range out {
		out[i] = g.Sample()
	}
	return out
}

// positives writes one sentence holding a value of each built-in type in
// turn, chosen at random.
func (g *Generator) positive(b *builder) {
	switch detect.Type(g.rng.IntN(int(detect.NumBuiltin))) {
	case detect.Email:
		b.piece(g.pick("Contact me at ", "my email is ", "cc: ", "From: Maria <", "send it to ", "(", "mailto:"), detect.Email, g.Email(), g.pick(".", " please.", ">", ", thanks", ")", " and call back", ""))
	case detect.Phone:
		b.piece(g.pick("Call me on ", "my number: ", "Phone ", "tel: ", "reach me at ", "mobile ", "(", "ring "), detect.Phone, g.Phone(), g.pick(".", " after 5pm.", ")", ", thanks", ""))
	case detect.PaymentCard:
		b.piece(g.pick("My card ", "card number ", "Card: ", "paid with ", "cc=", "charge "), detect.PaymentCard, g.Card(), g.pick(" was charged twice.", ".", " exp 09/27", ", cvv withheld", ""))
	case detect.IBAN:
		b.piece(g.pick("IBAN ", "Please wire to ", "account: ", "iban=", "Bank details: "), detect.IBAN, g.IBAN(), g.pick(".", " (savings).", ", BIC withheld", ""))
	case detect.USSSN:
		if g.rng.IntN(4) == 0 {
			b.piece(g.pick("SSN ", "ssn: ", "Social Security number "), detect.USSSN, g.ssnParts(""), g.pick(".", "", " on file"))
		} else {
			b.piece(g.pick("SSN ", "my social is ", "ssn: ", "Taxpayer ", ""), detect.USSSN, g.SSN(), g.pick(".", "", " on file", ", DOB withheld"))
		}
	case detect.IPv4:
		b.piece(g.pick("request from ", "client_ip=", "Host ", "connect to ", "[", "peer "), detect.IPv4, g.IPv4(), g.pick(":8443 timed out", " failed", "]", ".", ""))
	case detect.IPv6:
		b.piece(g.pick("from ", "client ", "addr=", "IPv6 "), detect.IPv6, g.IPv6(), g.pick(" blocked", ".", "", " (v6)"))
	case detect.MAC:
		b.piece(g.pick("device ", "mac=", "MAC address ", "NIC "), detect.MAC, g.MAC(), g.pick(" joined", ".", ""))
	case detect.URLCredentials:
		scheme, user, pass, host := g.URLCredentials()
		b.text(g.pick("DATABASE_URL is ", "connect with ", "use ", ""))
		b.text(scheme + "://")
		b.value(detect.URLCredentials, user+":"+pass)
		b.text("@" + host + g.pick("/app", ":5432/orders", "", "/?sslmode=require"))
	case detect.JWT:
		b.piece(g.pick("Authorization: Bearer ", "token ", "jwt=", "id_token: "), detect.JWT, g.JWT(), g.pick("", ".", " expired"))
	case detect.PrivateKey:
		b.piece(g.pick("here is the key:\n", "key=", "```\n"), detect.PrivateKey, g.PrivateKey(), g.pick("\n", "\n```", ""))
	case detect.AWSAccessKey:
		b.piece(g.pick("aws_access_key_id = ", "AccessKeyId: ", "key ", "AWS key "), detect.AWSAccessKey, g.AWSAccessKey(), g.pick("", ".", " leaked"))
	case detect.AWSSecretKey:
		b.piece(g.pick("aws_secret_access_key = ", "AWS secret: ", "my aws key is ", "SecretAccessKey "), detect.AWSSecretKey, g.AWSSecretKey(), g.pick("", ".", " rotated"))
	case detect.OpenAIKey:
		b.piece(g.pick("OPENAI_API_KEY=", "use ", "key: ", "openai key "), detect.OpenAIKey, g.OpenAIKey(), g.pick("", ".", " please"))
	case detect.AnthropicKey:
		b.piece(g.pick("ANTHROPIC_API_KEY=", "use ", "anthropic key "), detect.AnthropicKey, g.AnthropicKey(), g.pick("", ".", " thanks"))
	case detect.GitHubToken:
		b.piece(g.pick("GITHUB_TOKEN=", "push with ", "token "), detect.GitHubToken, g.GitHubToken(), g.pick("", ".", " failed"))
	case detect.SlackToken:
		b.piece(g.pick("SLACK_BOT_TOKEN=", "bot token ", "use "), detect.SlackToken, g.SlackToken(), g.pick("", ".", " revoked"))
	case detect.GoogleAPIKey:
		b.piece(g.pick("key=", "Maps key ", "GOOGLE_API_KEY: "), detect.GoogleAPIKey, g.GoogleAPIKey(), g.pick("", ".", "&libraries=places"))
	case detect.StripeKey:
		b.piece(g.pick("STRIPE_SECRET_KEY=", "stripe ", "use "), detect.StripeKey, g.StripeKey(), g.pick("", ".", " in prod"))
	case detect.SecretAssignment:
		key, sep, quote := g.pick("password", "DB_PASSWORD", "passwd", "secret", "client_secret", "api_token", "access_token", "apiKey", "X-Api-Key"),
			g.pick("=", ": ", " = ", ":"), g.pick("", "", "\"", "'")
		if sep == ":" || sep == ": " {
			if strings.HasPrefix(quote, "\"") {
				b.text(`"` + key + `"` + sep)
			} else {
				b.text(key + sep)
			}
		} else {
			b.text(key + sep)
		}
		b.text(quote)
		b.value(detect.SecretAssignment, g.Password(quote != ""))
		b.text(quote + g.pick("", " in the config", ";", ","))
	}
}

var (
	firstNames = []string{"maria", "kenji", "amara", "lucas", "olga", "wei", "fatima", "john", "priya", "sven", "ana", "tom"}
	lastNames  = []string{"lopez", "sato", "okafor", "martin", "ivanova", "zhang", "haddad", "smith", "sharma", "berg", "silva", "o-neil"}
	domains    = []string{"example.com", "example.org", "mail.example.net", "corp.example.co.uk", "example.io", "uni.example.edu", "example.de", "xn--exmple-cua.example"}
)

// Email returns an address in one of the shapes people use.
func (g *Generator) Email() string {
	f, l := g.pick(firstNames...), g.pick(lastNames...)
	var local string
	switch g.rng.IntN(6) {
	case 0:
		local = f + "." + l
	case 1:
		local = f + "_" + l + g.digits(2)
	case 2:
		local = f[:1] + l
	case 3:
		local = f + "+" + g.pick("work", "news", "ai")
	case 4:
		local = strings.ToUpper(f[:1]) + f[1:] + "." + strings.ToUpper(l[:1]) + l[1:]
	default:
		local = f + g.digits(3)
	}
	return local + "@" + g.pick(domains...)
}

// Phone returns a phone number in an international or national format.
func (g *Generator) Phone() string {
	area := func() string { return string(byte('2'+g.rng.IntN(8))) + g.digits(2) }
	for {
		a := area()
		if a[1] == '1' && a[2] == '1' {
			continue // N11 service codes are not area codes
		}
		ex := string(byte('2'+g.rng.IntN(8))) + g.digits(2)
		line := g.digits(4)
		switch g.rng.IntN(13) {
		case 0:
			return "+1 " + a + " " + ex + " " + line
		case 1:
			return "+1-" + a + "-" + ex + "-" + line
		case 2:
			return "(" + a + ") " + ex + "-" + line
		case 3:
			return a + "-" + ex + "-" + line
		case 4:
			return a + "." + ex + "." + line
		case 5:
			return "1-" + a + "-" + ex + "-" + line
		case 6:
			return "+44 20 " + g.digits(4) + " " + g.digits(4)
		case 7:
			return "020 " + g.digits(4) + " " + g.digits(4)
		case 8:
			return "07" + g.digits(3) + " " + g.digits(6)
		case 9:
			return "0" + string(byte('1'+g.rng.IntN(9))) + " " + g.digits(2) + " " + g.digits(2) + " " + g.digits(2) + " " + g.digits(2)
		case 10:
			return "+33 " + string(byte('1'+g.rng.IntN(9))) + " " + g.digits(2) + " " + g.digits(2) + " " + g.digits(2) + " " + g.digits(2)
		case 11:
			return "+49 30 " + g.digits(8)
		default:
			return "+" + g.pick("1", "44", "49", "33", "81", "61", "91", "55") + a + ex + line
		}
	}
}

var cardPrefixes = []struct {
	prefix string
	length int
}{
	{"4", 16}, {"4", 16}, {"4", 13}, {"51", 16}, {"55", 16}, {"2221", 16}, {"2720", 16},
	{"34", 15}, {"37", 15}, {"6011", 16}, {"65", 16}, {"3530", 16}, {"36", 14}, {"62", 16}, {"4", 19},
}

// cardDigits returns a Luhn-valid number of a real network.
func (g *Generator) cardDigits() string {
	p := cardPrefixes[g.rng.IntN(len(cardPrefixes))]
	body := p.prefix + g.digits(p.length-len(p.prefix)-1)
	for d := byte('0'); d <= '9'; d++ {
		if detect.Luhn(body + string(d)) {
			return body + string(d)
		}
	}
	panic("unreachable")
}

// Card returns a valid card number, written compact, in fours, or as
// American Express writes it.
func (g *Generator) Card() string { return g.formatCard(g.cardDigits()) }

func (g *Generator) formatCard(d string) string {
	switch g.rng.IntN(3) {
	case 0:
		return d
	default:
		sep := g.pick(" ", "-")
		if len(d) == 15 {
			return d[:4] + sep + d[4:10] + sep + d[10:]
		}
		var parts []string
		for i := 0; i < len(d); i += 4 {
			parts = append(parts, d[i:min(len(d), i+4)])
		}
		return strings.Join(parts, sep)
	}
}

// ibanBBAN builds a country's account part: GB and NL carry a bank code of
// letters, the rest digits.
func (g *Generator) ibanBBAN(country string, n int) string {
	switch country {
	case "GB", "IE":
		return g.chars(4, upper) + g.digits(n-4)
	case "NL":
		return g.chars(4, upper) + g.digits(n-4)
	}
	return g.digits(n)
}

var ibanCountries = []string{"DE", "GB", "FR", "ES", "IT", "NL", "BE", "CH", "AT", "PL", "SE", "NO", "IE", "PT", "DK", "FI"}

func (g *Generator) ibanCompact() string {
	c := g.pick(ibanCountries...)
	bban := g.ibanBBAN(c, detect.IBANLength(c)-4)
	rem := detect.IBANMod97(c + "00" + bban)
	return c + fmt.Sprintf("%02d", 98-rem) + bban
}

// IBAN returns a valid IBAN, compact or in groups of four.
func (g *Generator) IBAN() string {
	s := g.ibanCompact()
	if g.rng.IntN(2) == 0 {
		return s
	}
	return group4(s)
}

func group4(s string) string {
	var parts []string
	for i := 0; i < len(s); i += 4 {
		parts = append(parts, s[i:min(len(s), i+4)])
	}
	return strings.Join(parts, " ")
}

func (g *Generator) ssnParts(sep string) string {
	var area int
	for {
		area = 1 + g.rng.IntN(899)
		if area != 666 {
			break
		}
	}
	return fmt.Sprintf("%03d%s%02d%s%04d", area, sep, 1+g.rng.IntN(99), sep, 1+g.rng.IntN(9999))
}

// SSN returns a valid SSN written with dashes or spaces.
func (g *Generator) SSN() string { return g.ssnParts(g.pick("-", "-", " ")) }

// IPv4 returns a private or public address.
func (g *Generator) IPv4() string {
	switch g.rng.IntN(3) {
	case 0:
		return fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
	case 1:
		return fmt.Sprintf("192.168.%d.%d", g.rng.IntN(256), 1+g.rng.IntN(254))
	}
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.rng.IntN(223), g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
}

func (g *Generator) hextet() string { return fmt.Sprintf("%x", g.rng.IntN(0x10000)) }

// IPv6 returns an address written in full or compressed.
func (g *Generator) IPv6() string {
	switch g.rng.IntN(4) {
	case 0:
		var p []string
		for range 8 {
			p = append(p, fmt.Sprintf("%04x", g.rng.IntN(0x10000)))
		}
		return strings.Join(p, ":")
	case 1:
		return "2001:db8::" + fmt.Sprintf("%x:%x", 0x100+g.rng.IntN(0xff00), g.rng.IntN(0x10000))
	case 2:
		return fmt.Sprintf("fe80::%x:%s:%s:%s", 0x100+g.rng.IntN(0xff00), g.hextet(), g.hextet(), g.hextet())
	}
	return fmt.Sprintf("2a00:%x:%s:%s::%x", 0x100+g.rng.IntN(0xff00), g.hextet(), g.hextet(), 1+g.rng.IntN(0xffff))
}

// MAC returns a hardware address in colon, dash or Cisco dot notation.
func (g *Generator) MAC() string {
	b := make([]string, 6)
	for i := range b {
		b[i] = fmt.Sprintf("%02x", g.rng.IntN(256))
	}
	b[0] = fmt.Sprintf("%02x", 2+g.rng.IntN(254)) // never all zero
	s := ""
	switch g.rng.IntN(3) {
	case 0:
		s = strings.Join(b, ":")
	case 1:
		s = strings.Join(b, "-")
	default:
		h := strings.Join(b, "")
		s = h[:4] + "." + h[4:8] + "." + h[8:]
	}
	if g.rng.IntN(2) == 0 {
		s = strings.ToUpper(s)
	}
	return s
}

// URLCredentials returns the parts of a URL with credentials. The password
// uses the characters RFC 3986 allows unencoded in userinfo.
func (g *Generator) URLCredentials() (scheme, user, pass, host string) {
	return g.pick("postgres", "mysql", "redis", "https", "amqp", "mongodb+srv", "ftp"),
		g.pick("admin", "app", "svc_orders", "root", "deploy"),
		g.chars(8+g.rng.IntN(16), alnum+"-._~!$*+") + g.digits(1),
		g.pick("db.internal", "cache.example.com", "10.0.3.7", "mq.example.org")
}

// Password returns a password; unquoted ones avoid the bytes that end an
// unquoted value (space , ; & quotes < >).
func (g *Generator) Password(quoted bool) string {
	alphabet := alnum + "!@#$%^*_-.~+"
	if quoted {
		alphabet += " &,;"
	}
	s := g.chars(8+g.rng.IntN(16), alphabet)
	return strings.Trim(s, " ") + g.digits(1)
}

// JWT returns a signed token with a realistic header and claims.
func (g *Generator) JWT() string {
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]string{"alg": g.pick("HS256", "RS256", "ES256"), "typ": "JWT"})
	c, _ := json.Marshal(map[string]any{"sub": g.digits(10), "name": g.pick(firstNames...), "iat": 1700000000 + g.rng.IntN(1e7)})
	return enc.EncodeToString(h) + "." + enc.EncodeToString(c) + "." + g.chars(43, b64url)
}

// PrivateKey returns a PEM private key block.
func (g *Generator) PrivateKey() string {
	label := g.pick("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY")
	var lines []string
	for range 3 + g.rng.IntN(5) {
		lines = append(lines, g.chars(64, alnum+"+/"))
	}
	return "-----BEGIN " + label + "-----\n" + strings.Join(lines, "\n") + "\n-----END " + label + "-----"
}

// AWSAccessKey returns an access key ID.
func (g *Generator) AWSAccessKey() string {
	return g.pick("AKIA", "ASIA", "AROA", "AIDA") + g.chars(16, upper+"234567")
}

// AWSSecretKey returns a secret access key.
func (g *Generator) AWSSecretKey() string { return g.mixed(40, alnum+"/+") }

// OpenAIKey returns a legacy or project key.
func (g *Generator) OpenAIKey() string {
	if g.rng.IntN(2) == 0 {
		return "sk-" + g.mixed(20, alnum) + "T3BlbkFJ" + g.mixed(20, alnum)
	}
	return "sk-proj-" + g.mixed(100+g.rng.IntN(60), b64url)
}

// AnthropicKey returns an API key.
func (g *Generator) AnthropicKey() string { return "sk-ant-api03-" + g.mixed(93, b64url) + "AA" }

// GitHubToken returns a classic or fine-grained token.
func (g *Generator) GitHubToken() string {
	if g.rng.IntN(3) == 0 {
		return "github_pat_" + g.mixed(22, alnum) + "_" + g.mixed(59, alnum)
	}
	return g.pick("ghp_", "gho_", "ghs_", "ghu_") + g.mixed(36, alnum)
}

// SlackToken returns a bot or user token.
func (g *Generator) SlackToken() string {
	return g.pick("xoxb-", "xoxp-") + g.digits(11) + "-" + g.digits(12) + "-" + g.mixed(24, alnum)
}

// GoogleAPIKey returns an API key.
func (g *Generator) GoogleAPIKey() string { return "AIza" + g.mixed(35, b64url) }

// StripeKey returns a live secret or restricted key.
func (g *Generator) StripeKey() string {
	return g.pick("sk_live_", "rk_live_") + g.mixed(24+g.rng.IntN(75), alnum)
}

// negative returns a sentence with a hard negative: text that looks like a
// detector's target but is not one.
func (g *Generator) negative() string {
	switch g.rng.IntN(30) {
	case 0: // card-shaped, fails Luhn
		d := g.cardDigits()
		last := (d[len(d)-1]-'0'+1+byte(g.rng.IntN(8)))%10 + '0'
		return "Order " + g.formatCard(d[:len(d)-1]+string(last)) + " was shipped."
	case 1:
		return "order number " + g.digits(4) + "-" + g.digits(4) + "-" + g.digits(4) + " and version 2." + g.digits(2) + "." + g.digits(1) + "."
	case 2: // IBAN-shaped, wrong checksum
		s := []byte(g.ibanCompact())
		i := 4 + g.rng.IntN(len(s)-4)
		if s[i] >= '0' && s[i] <= '9' {
			s[i] = '0' + (s[i]-'0'+1)%10
		} else {
			s[i] = 'A' + (s[i]-'A'+1)%26
		}
		out := string(s)
		if g.rng.IntN(2) == 0 {
			out = group4(out)
		}
		return "reference " + out + " is invalid"
	case 3: // SSN-shaped, never issued
		return "test id " + g.pick("000", "666", fmt.Sprintf("9%02d", g.rng.IntN(100))) + "-" + fmt.Sprintf("%02d", g.rng.IntN(100)) + "-" + g.digits(4)
	case 4:
		return "released " + fmt.Sprintf("20%02d-%02d-%02dT%02d:%02d:%02dZ", 10+g.rng.IntN(20), 1+g.rng.IntN(12), 1+g.rng.IntN(28), g.rng.IntN(24), g.rng.IntN(60), g.rng.IntN(60))
	case 5:
		return fmt.Sprintf("at 20%02d-%02d-%02d %02d:%02d:%02d.%03d UTC", 10+g.rng.IntN(20), 1+g.rng.IntN(12), 1+g.rng.IntN(28), g.rng.IntN(24), g.rng.IntN(60), g.rng.IntN(60), g.rng.IntN(1000))
	case 6:
		return "request " + fmt.Sprintf("%s-%s-%s-%s-%s", g.chars(8, hexLower), g.chars(4, hexLower), g.chars(4, hexLower), g.chars(4, hexLower), g.chars(12, hexLower))
	case 7:
		return "commit " + g.chars(40, hexLower) + " and sha256 " + g.chars(64, hexLower)
	case 8:
		return fmt.Sprintf("upgrade to v%d.%d.%d or %d.%d.%d.%d of the firmware", g.rng.IntN(10), g.rng.IntN(30), g.rng.IntN(30), 1+g.rng.IntN(9), g.rng.IntN(10), g.rng.IntN(10), g.rng.IntN(10))
	case 9:
		return fmt.Sprintf("epoch %d, %d ms", 1600000000+g.rng.IntN(2e8), int64(1600000000000)+g.rng.Int64N(2e11))
	case 10:
		return fmt.Sprintf("priced at $%d,%03d.%02d (%d.%02d EUR)", 1+g.rng.IntN(99), g.rng.IntN(1000), g.rng.IntN(100), g.rng.IntN(999), g.rng.IntN(100))
	case 11:
		return "ISBN 978-" + g.digits(1) + "-" + g.digits(2) + "-" + g.digits(6) + "-" + g.digits(1)
	case 12:
		return "follow @" + g.pick(firstNames...) + " or npm i pkg@" + fmt.Sprintf("%d.%d.%d", g.rng.IntN(9), g.rng.IntN(20), g.rng.IntN(20)) + ", or ssh " + g.pick(firstNames...) + "@localhost"
	case 13:
		return g.pick("How do I reset the password on my account?", "The password: must be at least 12 characters.", "What is a token: in NLP?", "The secret to good RAG is retrieval.", "Set max_tokens="+g.digits(3)+" and top_k="+g.digits(1)+".")
	case 14:
		return fmt.Sprintf("meeting at %02d:%02d, call lasted %02d:%02d:%02d", g.rng.IntN(24), g.rng.IntN(60), g.rng.IntN(3), g.rng.IntN(60), g.rng.IntN(60))
	case 15:
		return "invalid address " + fmt.Sprintf("%d.%d.%d.%d", 256+g.rng.IntN(700), g.rng.IntN(256), g.rng.IntN(256), g.rng.IntN(256)) + " and subnet " + fmt.Sprintf("10.%d.%d", g.rng.IntN(256), g.rng.IntN(256))
	case 16:
		return "use scikit-learn (sk-learn), a task-force and ask-me-anything threads"
	case 17: // AWS-secret-shaped string without any AWS or secret context
		return "cache entry " + g.mixed(40, alnum+"/+") + " expired"
	case 18:
		return "invoice " + g.digits(10) + " and tracking " + g.digits(22)
	case 19:
		return fmt.Sprintf("dated %02d/%02d/20%02d and %02d.%02d.20%02d", 1+g.rng.IntN(12), 1+g.rng.IntN(28), g.rng.IntN(30), 1+g.rng.IntN(28), 1+g.rng.IntN(12), g.rng.IntN(30))
	case 20:
		return "std::vector<int> and a::b, HTTP " + g.pick("200", "404", "503") + " on port " + g.pick("8080", "443", "4317")
	case 21:
		return "call ext. " + g.digits(4) + " or room " + g.digits(3) + ", fax line 1" + g.digits(2) + "-" + g.digits(3) + "-" + g.digits(4)
	case 22:
		return "model gpt-4o-2024-08-06 with " + g.digits(4) + " tokens, temperature 0." + g.digits(1)
	case 23:
		return "part no. " + g.chars(2, upper) + g.digits(2) + "-" + g.digits(4) + "-" + g.chars(3, upper)
	case 24:
		return "build " + g.chars(4, upper) + g.digits(16) + " passed"
	case 25:
		return fmt.Sprintf("coordinates %d.%06d, -%d.%06d", g.rng.IntN(90), g.rng.IntN(1e6), g.rng.IntN(180), g.rng.IntN(1e6))
	case 26:
		return "token count " + g.digits(4) + " and secret sauce"
	case 27:
		return "tx hash 0x" + g.chars(64, hexLower)
	case 28:
		return "eyJ is how base64 JSON starts; eyJhbGciOi.short.sig is not a token"
	}
	return "password=<SECRET> token=*** secret: ${env:API_SECRET}"
}

// Types returns the types present in a set of samples, in type order.
func Types(samples []Sample) []detect.Type {
	seen := map[detect.Type]bool{}
	for _, s := range samples {
		for _, l := range s.Labels {
			seen[l.Type] = true
		}
	}
	var out []detect.Type
	for t := range seen {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
