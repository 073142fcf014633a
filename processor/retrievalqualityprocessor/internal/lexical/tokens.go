// Package lexical scores retrieved text against the query and the answer
// without a model: BM25 or term overlap of each document with the query,
// query-term coverage of the retrieved context, and groundedness of the answer
// (the share of its word n-grams found in the retrieved text, and which
// documents those n-grams came from).
//
// Text is cut into tokens of letters and digits, lower-cased, with each CJK
// ideograph a token of its own, and plural endings removed by the S-stemmer
// (Harman, 1991: -ies → -y, -es → -e, -s → ""), so "passwords" meets
// "password". Tokens are hashed (64-bit FNV-1a) so that no per-token string is
// allocated.
package lexical

import (
	"unicode"
	"unicode/utf8"
)

// token is one hashed word; stop marks English function words, which carry
// no topic and are left out of query terms.
type token struct {
	hash uint64
	stop bool
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// tokenize appends the tokens of s to dst; buf is scratch space.
func tokenize(s string, dst []token, buf []byte) ([]token, []byte) {
	buf = buf[:0]
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				buf = append(buf, c)
			case 'A' <= c && c <= 'Z':
				buf = append(buf, c+('a'-'A'))
			default:
				dst = appendToken(dst, buf)
				buf = buf[:0]
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case isIdeograph(r):
			dst = appendToken(dst, buf)
			buf = utf8.AppendRune(buf[:0], r)
			dst = appendToken(dst, buf)
			buf = buf[:0]
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		default:
			dst = appendToken(dst, buf)
			buf = buf[:0]
		}
	}
	return appendToken(dst, buf), buf
}

func appendToken(dst []token, b []byte) []token {
	if len(b) == 0 {
		return dst
	}
	// Stop words are matched before stemming ("this" is not a plural).
	h := fnv(b)
	stop := isStopword(b, h)
	// Every stemming rule shortens the word.
	if s := stem(b); len(s) != len(b) {
		h = fnv(s)
	}
	return append(dst, token{hash: h, stop: stop})
}

func isIdeograph(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}

// stem removes English plural endings (the S-stemmer). It rewrites b in place.
func stem(b []byte) []byte {
	n := len(b)
	if n <= 3 || b[n-1] != 's' {
		return b
	}
	switch {
	case b[n-3] == 'i' && b[n-2] == 'e' && b[n-4] != 'e' && b[n-4] != 'a':
		b[n-3] = 'y'
		return b[:n-2]
	case b[n-2] == 'e' && b[n-3] != 'a' && b[n-3] != 'e' && b[n-3] != 'o':
		return b[:n-1]
	case b[n-2] != 'u' && b[n-2] != 's':
		return b[:n-1]
	}
	return b
}

// Words that carry no topic. Single letters (from "don't", "user's") are
// stop words too. They are matched by hash, before stemming.
var stopwords = func() *u64map {
	words := []string{
		"a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
		"be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
		"can", "could", "did", "do", "does", "doing", "don", "down", "during",
		"each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here",
		"hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
		"just", "me", "might", "more", "most", "must", "my", "myself", "no", "nor", "not", "now",
		"of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own",
		"please", "same", "shall", "she", "should", "so", "some", "such",
		"than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they",
		"this", "those", "through", "to", "too", "under", "until", "up", "us", "very",
		"was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will",
		"with", "would", "you", "your", "yours", "yourself", "yourselves",
	}
	m := &u64map{}
	m.reset(len(words))
	for _, w := range words {
		m.add(fnv([]byte(w)))
	}
	return m
}()

func isStopword(b []byte, h uint64) bool {
	if len(b) == 1 && b[0] < utf8.RuneSelf {
		return true
	}
	_, ok := stopwords.get(h)
	return ok
}
