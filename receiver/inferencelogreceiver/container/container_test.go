package container

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type got struct {
	text   string
	stream string
	time   time.Time
	parts  int
}

func pushAll(t *testing.T, u *Unwrapper, lines ...string) ([]got, int) {
	t.Helper()
	var out []got
	malformed := 0
	emit := func(l Line) { out = append(out, got{string(l.Text), l.Stream, l.Time, l.Parts}) }
	for _, l := range lines {
		if err := u.Push([]byte(l), emit); err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			malformed++
		}
	}
	if l, ok := u.Flush(); ok {
		emit(l)
	}
	return out, malformed
}

func TestCRIPartialLinesAreJoined(t *testing.T) {
	u := NewUnwrapper(Auto, 0)
	out, bad := pushAll(t, u,
		"2025-08-14T16:05:20.501234567Z stdout P first half, ",
		"2025-08-14T16:05:20.501234999Z stdout P middle, ",
		"2025-08-14T16:05:20.501235100Z stdout F last",
		"2025-08-14T16:05:21Z stderr F other",
	)
	assert.Equal(t, 0, bad)
	assert.Equal(t, CRI, u.Mode())
	require.Len(t, out, 2)
	assert.Equal(t, "first half, middle, last", out[0].text)
	assert.Equal(t, 3, out[0].parts)
	assert.Equal(t, "stdout", out[0].stream)
	assert.Equal(t, time.Date(2025, 8, 14, 16, 5, 20, 501234567, time.UTC), out[0].time, "the first piece's time")
	assert.Equal(t, "other", out[1].text)
	assert.Equal(t, "stderr", out[1].stream)
}

func TestCRIKeepsEmptyAndSpacedMessages(t *testing.T) {
	u := NewUnwrapper(CRI, 0)
	out, bad := pushAll(t, u,
		"2025-08-14T16:05:20Z stdout F ",
		"2025-08-14T16:05:20Z stdout F",
		"2025-08-14T16:05:20+02:00 stdout F   indented  ",
		"2025-08-14T16:05:20Z stdout F:x with flags",
	)
	assert.Equal(t, 0, bad)
	require.Len(t, out, 4)
	assert.Equal(t, "", out[0].text)
	assert.Equal(t, "", out[1].text)
	assert.Equal(t, "  indented  ", out[2].text)
	assert.Equal(t, time.Date(2025, 8, 14, 14, 5, 20, 0, time.UTC), out[2].time.UTC())
	assert.Equal(t, "with flags", out[3].text)
}

func TestCRIMalformedLineIsKeptAndCounted(t *testing.T) {
	u := NewUnwrapper(CRI, 0)
	out, bad := pushAll(t, u,
		"2025-08-14T16:05:20Z stdout P held ",
		"garbage that is not CRI",
		"2025-08-14T16:05:21Z stdout F fine",
	)
	assert.Equal(t, 1, bad)
	require.Len(t, out, 3)
	assert.Equal(t, "held ", out[0].text, "the held partial comes out before the damaged line")
	assert.Equal(t, "garbage that is not CRI", out[1].text)
	assert.Equal(t, "fine", out[2].text)
}

func TestCRIPartialFromOtherStreamIsNotJoined(t *testing.T) {
	u := NewUnwrapper(CRI, 0)
	out, _ := pushAll(t, u,
		"2025-08-14T16:05:20Z stdout P out-",
		"2025-08-14T16:05:20Z stderr F err",
	)
	require.Len(t, out, 2)
	assert.Equal(t, "out-", out[0].text)
	assert.Equal(t, "err", out[1].text)
}

func TestCRIJoinedLineIsBounded(t *testing.T) {
	u := NewUnwrapper(CRI, 10)
	out, _ := pushAll(t, u,
		"2025-08-14T16:05:20Z stdout P 123456",
		"2025-08-14T16:05:20Z stdout P 789012",
		"2025-08-14T16:05:20Z stdout F end",
	)
	require.Len(t, out, 2)
	assert.Equal(t, "123456789012", out[0].text)
	assert.Equal(t, "end", out[1].text)
}

func TestDockerJSONFile(t *testing.T) {
	u := NewUnwrapper(Auto, 0)
	out, bad := pushAll(t, u,
		`{"log":"Shard ready in ","stream":"stderr","time":"2024-06-03T11:21:03.000100000Z"}`,
		`{"log":"2.5s \u00b5 \"q\"\n","stream":"stderr","time":"2024-06-03T11:21:03.000200000Z"}`,
		`{"stream":"stdout","log":"crlf\r\n","time":"2024-06-03T11:21:04Z","attrs":{"k":"v"}}`,
		`{"log":42}`,
	)
	assert.Equal(t, Docker, u.Mode())
	assert.Equal(t, 1, bad)
	require.Len(t, out, 3)
	assert.Equal(t, `Shard ready in 2.5s µ "q"`, out[0].text)
	assert.Equal(t, 2, out[0].parts)
	assert.Equal(t, "stderr", out[0].stream)
	assert.Equal(t, time.Date(2024, 6, 3, 11, 21, 3, 100000, time.UTC), out[0].time)
	assert.Equal(t, "crlf", out[1].text)
	assert.Equal(t, `{"log":42}`, out[2].text)
}

func TestPlainFilesPassThrough(t *testing.T) {
	u := NewUnwrapper(Auto, 0)
	out, bad := pushAll(t, u, "INFO 05-14 09:12:01 [x.py:1] hello", "2025-08-14T16:05:20Z not cri")
	assert.Equal(t, None, u.Mode())
	assert.Equal(t, 0, bad)
	require.Len(t, out, 2)
	assert.Equal(t, "2025-08-14T16:05:20Z not cri", out[1].text)
	assert.True(t, out[1].time.IsZero())
}

func TestParseMode(t *testing.T) {
	for _, s := range []string{"auto", "none", "cri", "docker", ""} {
		m, err := ParseMode(s)
		require.NoError(t, err)
		if s != "" {
			assert.Equal(t, s, m.String())
		}
	}
	_, err := ParseMode("containerd")
	assert.ErrorContains(t, err, "containerd")
}

func TestK8sPaths(t *testing.T) {
	tests := []struct {
		path string
		want K8s
		ok   bool
	}{
		{
			path: "/var/log/pods/llm_vllm-0_5c1f7a3e-2d4b-4f7e-9a1c-8b2d3e4f5a6b/vllm/0.log",
			want: K8s{Namespace: "llm", PodName: "vllm-0", PodUID: "5c1f7a3e-2d4b-4f7e-9a1c-8b2d3e4f5a6b", ContainerName: "vllm", RestartCount: 0, HasRestartCount: true},
			ok:   true,
		},
		{
			path: "/host/var/log/pods/default_tgi-7d9f8b6c5-x2k4q_0a1b2c3d-0000-1111-2222-333344445555/text-generation-inference/3.log.20250801-101010",
			want: K8s{Namespace: "default", PodName: "tgi-7d9f8b6c5-x2k4q", PodUID: "0a1b2c3d-0000-1111-2222-333344445555", ContainerName: "text-generation-inference", RestartCount: 3, HasRestartCount: true},
			ok:   true,
		},
		{
			path: "/var/log/containers/ollama-0_ai_ollama-2f6a4b1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a.log",
			want: K8s{Namespace: "ai", PodName: "ollama-0", ContainerName: "ollama", ContainerID: "2f6a4b1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a"},
			ok:   true,
		},
		{
			path: "/var/log/containers/triton-0_ml_triton-server-sidecar-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.log",
			want: K8s{Namespace: "ml", PodName: "triton-0", ContainerName: "triton-server-sidecar", ContainerID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
			ok:   true,
		},
		{path: "/var/log/vllm/server.log"},
		{path: "/var/log/pods/not-a-pod-dir/vllm/0.log"},
		{path: "/var/log/containers/nounderscores.log"},
		{path: "/var/log/containers/a_b_c-notanid.log"},
		{path: "pods"},
		{path: ""},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.path, "/", "_"), func(t *testing.T) {
			got, ok := FromPath(tt.path)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

// FuzzCRI: any bytes, in any order, never panic; every line comes out (no
// loss) unless it is a held partial, which Flush returns.
func FuzzCRI(f *testing.F) {
	f.Add("2025-08-14T16:05:20.501234567Z stdout P half\n2025-08-14T16:05:20Z stdout F rest")
	f.Add("2025-08-14T16:05:20Z stderr F\n\n2025-08-14T16:05:20Z stdout X bad")
	f.Add("2025-08-14T16:05:20Z stdout P")
	f.Fuzz(func(t *testing.T, data string) {
		u := NewUnwrapper(CRI, 64)
		bytesOut := 0
		for _, l := range strings.Split(data, "\n") {
			_ = u.Push([]byte(l), func(l Line) { bytesOut += len(l.Text) })
		}
		if l, ok := u.Flush(); ok {
			bytesOut += len(l.Text)
		}
		if bytesOut > len(data) {
			t.Fatalf("more text out (%d) than in (%d)", bytesOut, len(data))
		}
		assert.False(t, u.Pending())
	})
}

// FuzzDocker: any bytes never panic and no line is lost.
func FuzzDocker(f *testing.F) {
	f.Add(`{"log":"a\n","stream":"stdout","time":"2024-06-03T11:21:03Z"}`)
	f.Add(`{"log":"part","stream":"stderr"}` + "\n" + `{"log":"\ud83d\n"}`)
	f.Add(`{"log":"\\`)
	f.Fuzz(func(t *testing.T, data string) {
		u := NewUnwrapper(Docker, 128)
		lines := 0
		emitted := 0
		for _, l := range strings.Split(data, "\n") {
			lines++
			_ = u.Push([]byte(l), func(Line) { emitted++ })
		}
		if _, ok := u.Flush(); ok {
			emitted++
		}
		if emitted == 0 && lines > 0 {
			t.Fatalf("%d lines in, nothing out", lines)
		}
	})
}

// FuzzFromPath: any path never panics, and what it finds is part of the path.
func FuzzFromPath(f *testing.F) {
	f.Add("/var/log/pods/llm_vllm-0_5c1f7a3e-2d4b-4f7e-9a1c-8b2d3e4f5a6b/vllm/0.log")
	f.Add("/var/log/containers/ollama-0_ai_ollama-2f6a4b1c9d8e.log")
	f.Add("pods/a_b_/c/.log")
	f.Add(`C:\var\log\pods\ns_p_u\c\1.log.1`)
	f.Fuzz(func(t *testing.T, path string) {
		k, ok := FromPath(path)
		if !ok {
			assert.Equal(t, K8s{}, k)
			return
		}
		normalised := strings.ReplaceAll(path, `\`, "/")
		for _, part := range []string{k.Namespace, k.PodName, k.PodUID, k.ContainerName, k.ContainerID} {
			assert.Contains(t, normalised, part)
		}
		assert.NotEmpty(t, k.Namespace)
		assert.NotEmpty(t, k.PodName)
		assert.NotEmpty(t, k.ContainerName)
	})
}
