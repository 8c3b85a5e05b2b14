// Package platform wires nubo together: it builds the backbone, every service
// and the listeners in an explicit order, starts them, rolls back on failure
// and closes them in reverse. Nothing registers itself: platform.go lists
// every part and every API handler. Start with platform.go.
package platform
