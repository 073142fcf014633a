package kedascalertest

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
)

func freeEndpoint(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

func setEndpoint(cfg component.Config, endpoint string) error {
	return confmap.NewFromStringMap(map[string]any{"endpoint": endpoint}).Unmarshal(cfg)
}
