package yunlubo

import (
	"encoding/json"
	"fmt"
)

// decodeJSON decodes an answer that has no err_code (version).
func decodeJSON(op string, body []byte, out any) error {
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("yunlubo: %s: malformed answer: %w", op, err)
	}
	return nil
}
