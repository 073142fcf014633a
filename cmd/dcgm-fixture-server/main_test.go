package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestServesTheEmbeddedPage(t *testing.T) {
	srv := httptest.NewServer(handler(""))
	defer srv.Close()
	code, body := get(t, srv.URL+"/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, string(defaultPage), body)
	assert.Contains(t, body, `DCGM_FI_DEV_GPU_UTIL{gpu="0"`)
	code, _ = get(t, srv.URL+"/other")
	assert.Equal(t, http.StatusNotFound, code)
}

// The demo serves the page whose mapping the dcgm receiver's tests check
// series by series: the embedded copy must not drift from that fixture.
func TestEmbeddedPageIsTheReceiversFixture(t *testing.T) {
	fixture, err := os.ReadFile(filepath.Join("..", "..", "receiver", "dcgmreceiver", "testdata", "fixtures", "synthetic-h100-8gpu-mig-k8s.prom"))
	require.NoError(t, err)
	assert.Equal(t, string(fixture), string(defaultPage))
}

func TestServesAFileReadAtEveryRequest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "page.prom")
	require.NoError(t, os.WriteFile(path, []byte("DCGM_FI_DEV_GPU_UTIL 1\n"), 0o600))
	srv := httptest.NewServer(handler(path))
	defer srv.Close()
	_, body := get(t, srv.URL+"/metrics")
	assert.Equal(t, "DCGM_FI_DEV_GPU_UTIL 1\n", body)
	require.NoError(t, os.WriteFile(path, []byte("DCGM_FI_DEV_GPU_UTIL 2\n"), 0o600))
	_, body = get(t, srv.URL+"/metrics")
	assert.Equal(t, "DCGM_FI_DEV_GPU_UTIL 2\n", body)
	require.NoError(t, os.Remove(path))
	code, _ := get(t, srv.URL+"/metrics")
	assert.Equal(t, http.StatusInternalServerError, code)
}
