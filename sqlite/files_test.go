package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/coordapi/coord"
)

// TestDatabaseFilesAreCreatedPrivateWhateverTheUmask: the file, its -wal
// and its -shm are 0600 under the usual umask and under none at all.
func TestDatabaseFilesAreCreatedPrivateWhateverTheUmask(t *testing.T) {
	for _, umask := range []int{0o022, 0o002, 0o000} {
		old := syscall.Umask(umask)
		path := filepath.Join(t.TempDir(), "coord.db")
		db, err := Open(context.Background(), path, coord.StoreConfig{})
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		for _, suffix := range companions {
			info, err := os.Stat(path + suffix)
			if err != nil {
				t.Fatalf("umask %03o: %v", umask, err)
			}
			if mode := info.Mode().Perm(); mode != 0o600 {
				t.Errorf("umask %03o: %s is %04o, want 0600", umask, filepath.Base(path+suffix), mode)
			}
		}
		if exposed, err := ExposedFiles(path); err != nil || len(exposed) != 0 {
			t.Errorf("umask %03o: exposed %v, %v", umask, exposed, err)
		}
		db.Close()
	}
}

// TestExposedFilesNamesReadableDatabaseFiles: a file someone else made
// readable (or writable) by group or others is named with its mode.
func TestExposedFilesNamesReadableDatabaseFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coord.db")
	db, err := Open(context.Background(), path, coord.StoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	modes := map[string]os.FileMode{"": 0o644, "-wal": 0o640, "-shm": 0o602}
	for suffix, mode := range modes {
		if err := os.Chmod(path+suffix, mode); err != nil {
			t.Fatal(err)
		}
	}
	exposed, err := ExposedFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(exposed) != len(modes) {
		t.Fatalf("exposed %v, want all three", exposed)
	}
	for _, e := range exposed {
		if want := modes[e.Path[len(path):]]; e.Mode != want {
			t.Errorf("%s: mode %04o, want %04o", e.Path, e.Mode, want)
		}
	}
}
