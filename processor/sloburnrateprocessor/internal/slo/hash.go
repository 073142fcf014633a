package slo

import (
	"encoding/binary"
	"math"

	"github.com/cespare/xxhash/v2"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// mix is the splitmix64 finaliser: it spreads a hash so that summing the
// hashes of attribute pairs is an order-independent identity.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hashMap is an identity of an attribute map that does not depend on the
// order of its entries.
func hashMap(m pcommon.Map) uint64 {
	var h uint64
	var d xxhash.Digest
	var buf [8]byte
	for k, v := range m.All() {
		d.Reset()
		_, _ = d.WriteString(k)
		_, _ = d.Write([]byte{0, byte(v.Type())})
		switch v.Type() {
		case pcommon.ValueTypeStr:
			_, _ = d.WriteString(v.Str())
		case pcommon.ValueTypeInt:
			binary.LittleEndian.PutUint64(buf[:], uint64(v.Int()))
			_, _ = d.Write(buf[:])
		case pcommon.ValueTypeDouble:
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(v.Double()))
			_, _ = d.Write(buf[:])
		case pcommon.ValueTypeBool:
			if v.Bool() {
				_, _ = d.Write([]byte{1})
			}
		default:
			_, _ = d.WriteString(v.AsString())
		}
		h += mix(d.Sum64())
	}
	return h
}

func hashString(s string) uint64 { return xxhash.Sum64String(s) }
