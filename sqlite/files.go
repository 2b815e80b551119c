package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// The database file holds the JWT signing key (the secrets table), so it
// and its companions are for the server's user alone.
const fileMode = 0o600

// companions are the files SQLite keeps beside the database in WAL mode.
var companions = []string{"", "-wal", "-shm"}

// createPrivate creates the database file with mode 0600 unless it exists.
// SQLite would create it 0644 less the umask; it creates the -wal and -shm
// files with the database file's mode, so they follow.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return err
	}
	return f.Close()
}

// ExposedFile is a database file that others than its owner may read.
type ExposedFile struct {
	Path string
	Mode fs.FileMode
}

// ExposedFiles lists the existing files of the database at path (the file,
// its -wal and -shm) that group or others may read or write, for a warning
// at start: whoever reads them can mint tokens for any user.
func ExposedFiles(path string) ([]ExposedFile, error) {
	var exposed []ExposedFile
	for _, suffix := range companions {
		info, err := os.Stat(path + suffix)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("stat %s: %w", path+suffix, err)
		}
		if info.Mode().Perm()&0o077 != 0 {
			exposed = append(exposed, ExposedFile{Path: path + suffix, Mode: info.Mode().Perm()})
		}
	}
	return exposed, nil
}
