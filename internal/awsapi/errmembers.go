package awsapi

// body is a JSON error envelope with the error's extra Members added; the
// envelope's own members win.
func (e *Error) body(envelope map[string]string) map[string]string {
	for k, v := range e.Members {
		if _, own := envelope[k]; !own {
			envelope[k] = v
		}
	}
	return envelope
}
