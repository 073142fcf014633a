package lexical

// u64map maps 64-bit hashes to small indexes with open addressing. It is
// sized once per use for a known number of keys and reused between
// analyses, which makes lookups several times cheaper than a Go map on the
// per-token hot path.
type u64map struct {
	keys []uint64 // 0 marks an empty slot
	vals []int32
	mask uint64
	n    int
}

// reset empties the map and makes room for up to n keys.
func (m *u64map) reset(n int) {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	if cap(m.keys) < size {
		m.keys = make([]uint64, size)
		m.vals = make([]int32, size)
	} else {
		m.keys = m.keys[:size]
		m.vals = m.vals[:size]
		clear(m.keys)
	}
	m.mask = uint64(size - 1)
	m.n = 0
}

// slotKey keeps 0 free as the empty marker.
func slotKey(k uint64) uint64 {
	if k == 0 {
		return 1
	}
	return k
}

// get returns the index stored for k.
func (m *u64map) get(k uint64) (int, bool) {
	k = slotKey(k)
	for i := k & m.mask; ; i = (i + 1) & m.mask {
		switch m.keys[i] {
		case k:
			return int(m.vals[i]), true
		case 0:
			return 0, false
		}
	}
}

// add stores k with the next index unless it is there already, and returns
// its index. The caller must not add more keys than reset made room for.
func (m *u64map) add(k uint64) int32 {
	k = slotKey(k)
	for i := k & m.mask; ; i = (i + 1) & m.mask {
		switch m.keys[i] {
		case k:
			return m.vals[i]
		case 0:
			m.keys[i] = k
			m.vals[i] = int32(m.n)
			m.n++
			return m.vals[i]
		}
	}
}

func (m *u64map) len() int { return m.n }
