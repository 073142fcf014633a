package detect

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLuhnAcceptsIssuedTestNumbersAndRejectsOneDigitOff(t *testing.T) {
	for _, n := range []string{"4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "3530111333300000", "30569309025904", "4012888888881881"} {
		assert.True(t, Luhn(n), n)
		assert.True(t, CardNetwork(n), n)
		last := n[len(n)-1]
		off := n[:len(n)-1] + string('0'+(last-'0'+1)%10)
		assert.False(t, Luhn(off), off)
	}
	assert.False(t, Luhn("1"))
	assert.False(t, Luhn("41a1"))
}

func TestCardNetworkRejectsUnknownPrefixesAndLengths(t *testing.T) {
	assert.False(t, CardNetwork("1234567812345670"), "no network starts with 1")
	assert.False(t, CardNetwork("9111111111111111"))
	assert.False(t, CardNetwork("411111111111111"), "Visa is 13, 16 or 19 digits")
	assert.False(t, CardNetwork("37828224631000"), "Amex is 15 digits")
	assert.True(t, CardNetwork("2221000000000009"), "Mastercard 2-series")
}

func TestIBAN(t *testing.T) {
	for _, s := range []string{"DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606", "NL91ABNA0417164300", "BE68539007547034", "NO9386011117947"} {
		assert.True(t, IBANValid(s), s)
	}
	for _, s := range []string{
		"DE89370400440532013001", // checksum
		"DE8937040044053201300",  // length
		"XX89370400440532013000", // country
		"GB82WEST1234569876543!", // character
		"DE00370400440532013000", // check digits 00
	} {
		assert.False(t, IBANValid(s), s)
	}
}

func TestSSNRules(t *testing.T) {
	assert.True(t, SSNValid("536", "22", "1234"))
	for _, p := range [][3]string{{"000", "12", "3456"}, {"666", "12", "3456"}, {"901", "12", "3456"}, {"536", "00", "1234"}, {"536", "22", "0000"}, {"078", "05", "1120"}, {"53a", "22", "1234"}} {
		assert.False(t, SSNValid(p[0], p[1], p[2]), p)
	}
}

func TestIPAndMAC(t *testing.T) {
	assert.True(t, IPv4Valid("192.168.1.20"))
	assert.True(t, IPv4Valid("0.0.0.0"))
	for _, s := range []string{"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.", "a.b.c.d", "1..2.3"} {
		assert.False(t, IPv4Valid(s), s)
	}
	assert.True(t, IPv6Valid("2001:db8::8a2e:370:7334"))
	assert.True(t, IPv6Valid("fe80::1ff:fe23:4567:890a"))
	assert.True(t, IPv6Valid("2001:0db8:85a3:0000:0000:8a2e:0370:7334"))
	for _, s := range []string{"::", "::1", "10:30:00", "std::vector", "1:2:3", "12:34:56:78"} {
		assert.False(t, IPv6Valid(s), s)
	}
	assert.True(t, MACValid("00:1A:2B:3C:4D:5E"))
	assert.True(t, MACValid("00-1a-2b-3c-4d-5e"))
	assert.True(t, MACValid("001a.2b3c.4d5e"))
	for _, s := range []string{"00:1A-2B:3C:4D:5E", "00:00:00:00:00:00", "12:34:56", "0G:1A:2B:3C:4D:5E"} {
		assert.False(t, MACValid(s), s)
	}
}

func TestEmail(t *testing.T) {
	assert.True(t, EmailValid("maria.lopez", "example.com"))
	assert.True(t, EmailValid("a+tag", "mail.example.co.uk"))
	assert.True(t, EmailValid("x", "xn--80ak6aa92e.xn--p1ai"))
	for _, p := range [][2]string{{"", "example.com"}, {".a", "example.com"}, {"a..b", "example.com"}, {"a", "localhost"}, {"pkg", "1.2.3"}, {"a", "-x.com"}, {"a", "example.c"}} {
		assert.False(t, EmailValid(p[0], p[1]), p)
	}
}

func TestJWT(t *testing.T) {
	tok := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	assert.True(t, JWTValid(tok))
	assert.False(t, JWTValid("eyJzdWIiOiIxMjM0NTY3ODkwIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"), "header without alg")
	assert.False(t, JWTValid("eyJhbGciOiJIUzI1NiJ9.short.sig"))
	assert.False(t, JWTValid("eyJhbGciOiJIUzI1NiJ9"))
}

func TestPhoneRules(t *testing.T) {
	assert.True(t, PhoneE164("14155550132"))
	assert.False(t, PhoneE164("0123456789"))
	assert.False(t, PhoneE164("1234567"))
	assert.True(t, PhoneNANP("4155550132"))
	assert.False(t, PhoneNANP("1235550132"), "area code starts with 1")
	assert.False(t, PhoneNANP("4151550132"), "exchange starts with 1")
	assert.False(t, PhoneNANP("9115550132"), "N11 service code")
	assert.True(t, PhoneTrunk("02079460958"))
	assert.False(t, PhoneTrunk("00442079460"))
}

func TestKeyShapes(t *testing.T) {
	assert.True(t, AWSAccessKeyID("AKIAIOSFODNN7EXAMPLE"))
	assert.False(t, AWSAccessKeyID("AKIAIOSFODNN7EXAMPL1"), "1 is not base32")
	assert.False(t, AWSAccessKeyID("AXYZIOSFODNN7EXAMPLE"))
	assert.True(t, AWSSecretKeyShape("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
	assert.False(t, AWSSecretKeyShape("da39a3ee5e6b4b0d3255bfef95601890afd80709"), "a SHA-1 has no upper case")
	assert.True(t, TokenBody("abc123", 6, ""))
	assert.False(t, TokenBody("abcdef", 6, ""), "no digit")
	assert.False(t, TokenBody("abc12", 6, ""), "too short")
}

func TestNamesRoundTrip(t *testing.T) {
	for _, ty := range Builtin() {
		got, ok := ByName(ty.Name())
		assert.True(t, ok)
		assert.Equal(t, ty, got)
		assert.NotZero(t, ty.Priority(), ty.Name())
	}
	_, ok := ByName("nope")
	assert.False(t, ok)
	assert.Equal(t, "PAYMENT_CARD", Label(PaymentCard.Name()))
}
