package genai

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// attrEventName named an event log record before log records had an event
// name field; older SDKs still set it.
const attrEventName = "event.name"

// IsEventRecord reports whether a log record is one of the GenAI events
// (gen_ai.client.inference.operation.details, gen_ai.user.message, ...),
// named by its event name or, from older SDKs, by its event.name attribute.
// Such records carry content under any attribute key.
func IsEventRecord(rec plog.LogRecord) bool {
	if strings.HasPrefix(rec.EventName(), eventPrefix) {
		return true
	}
	v, ok := rec.Attributes().Get(attrEventName)
	return ok && v.Type() == pcommon.ValueTypeStr && strings.HasPrefix(v.Str(), eventPrefix)
}

const eventPrefix = "gen_ai."
