package natshistory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Names and defaults.
const (
	// DefaultStream is the stream's name.
	DefaultStream = "CALLTOP_ENDED"
	// SubjectPrefix is followed by the publishing hub's id.
	SubjectPrefix = "calltop.v1.ended."
	// dedupWindow is how long JetStream remembers a call's message id.
	dedupWindow = 10 * time.Minute
)

// StreamConfig sets up the stream.
type StreamConfig struct {
	// Name is the stream's name (DefaultStream).
	Name string
	// Replicas is how many nodes keep it when it is created; 0 tries 3,
	// then 2, then 1.
	Replicas int
	// MaxAge and MaxBytes bound what it keeps (0: no bound).
	MaxAge   time.Duration
	MaxBytes int64
}

// OpenStream binds to the stream, setting its limits to cfg's, or
// creates it.
func OpenStream(ctx context.Context, js jetstream.JetStream, cfg StreamConfig) (jetstream.Stream, error) {
	if cfg.Name == "" {
		cfg.Name = DefaultStream
	}
	sc := jetstream.StreamConfig{Name: cfg.Name, Description: "calltop: every hub's ended calls, for the history writers",
		Subjects: []string{SubjectPrefix + ">"}, Storage: jetstream.FileStorage, Retention: jetstream.LimitsPolicy,
		Discard: jetstream.DiscardOld, MaxAge: cfg.MaxAge, MaxBytes: cfg.MaxBytes, Duplicates: dedupWindow}
	if sc.MaxBytes <= 0 {
		sc.MaxBytes = -1
	}
	if cfg.MaxAge > 0 && cfg.MaxAge < dedupWindow {
		sc.Duplicates = cfg.MaxAge
	}
	s, err := js.Stream(ctx, cfg.Name)
	if err == nil {
		have := s.CachedInfo().Config
		if have.MaxAge != sc.MaxAge || have.MaxBytes != sc.MaxBytes {
			have.MaxAge, have.MaxBytes, have.Duplicates = sc.MaxAge, sc.MaxBytes, sc.Duplicates
			if s, err = js.UpdateStream(ctx, have); err != nil {
				return nil, fmt.Errorf("JetStream stream %s: set its limits: %w", cfg.Name, err)
			}
		}
		return s, nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("JetStream stream %s: %w", cfg.Name, err)
	}
	tries := []int{cfg.Replicas}
	if cfg.Replicas <= 0 {
		tries = []int{3, 2, 1}
	}
	var first error
	for _, r := range tries {
		sc.Replicas = r
		if s, err = js.CreateStream(ctx, sc); err == nil {
			return s, nil
		}
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return js.Stream(ctx, cfg.Name)
		}
		if first == nil {
			first = err
		}
	}
	return nil, fmt.Errorf("create JetStream stream %s (replicas %v): %w", cfg.Name, tries, first)
}
