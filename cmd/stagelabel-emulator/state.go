package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/stagelabel/stagelabel/boltstate"
	"github.com/stagelabel/stagelabel/store"
)

// migrationSuffix ends the name of the database a migration writes beside
// the JSON state file it replaces.
const migrationSuffix = ".migrating"

// openState opens the state database at path, creating it when there is
// none, after removing the temporary files a crash could have left beside
// it and migrating a JSON state file of an older emulator found there.
// It fails when the location is unusable: a missing directory, one where
// the database cannot be created or written, a file that is neither a
// database nor a JSON state file, or a database another process holds.
func openState(path string, log *slog.Logger, opts []store.Option) (*boltstate.DB, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("state %s: the directory %s does not exist", path, dir)
	case err != nil:
		return nil, fmt.Errorf("state %s: %w", path, err)
	case !info.IsDir():
		return nil, fmt.Errorf("state %s: %s is not a directory", path, dir)
	}
	// Until the database is open (and locked by bbolt), another emulator
	// starting in the same directory waits: two first starts on one JSON
	// file must not both migrate it.
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, fmt.Errorf("state %s: locking %s: %w", path, dir, err)
	}
	defer unlock()

	k, err := kindOf(path)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	if err := removeLeftovers(dir, base, k == jsonState, log); err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	if k == jsonState {
		if err := migrate(path, log, opts); err != nil {
			return nil, fmt.Errorf("state %s: migrating the JSON state file: %w", path, err)
		}
	}
	db, err := boltstate.Open(path)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", path, err)
	}
	return db, nil
}

// removeLeftovers removes, from dir, the temporary files that a crash
// could have left beside the state file base, all of which may hold
// secret values: a migration's <base>.<migrating>, and, while base is an
// older emulator's JSON state file (before it is migrated), that
// emulator's <base>.<digits> (its atomic rewrites, from os.CreateTemp).
// Beside a database, <base>.<digits> is the user's (a backup, say) and
// stays.
func removeLeftovers(dir, base string, olderEmulator bool, log *slog.Logger) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !leftover(base, e.Name(), olderEmulator) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing a temporary file left by a crash: %w", err)
		}
		log.Warn("removed a temporary file left by a crash", "file", e.Name())
	}
	return nil
}

// leftover reports whether name is the name of a temporary file of the
// state file base: <base>.migrating, or, with olderEmulator,
// <base>.<digits>.
func leftover(base, name string, olderEmulator bool) bool {
	rest, ok := strings.CutPrefix(name, base+".")
	if !ok || rest == "" {
		return false
	}
	return "."+rest == migrationSuffix || olderEmulator && strings.Trim(rest, "0123456789") == ""
}

// kind is what a file found at the state's path holds.
type kind int

const (
	noState   kind = iota // no file, or an empty one: a new database
	jsonState             // a JSON state file of an older emulator
	boltState             // a bbolt database
)

// boltMagic is the magic number of a bbolt database, in its first meta
// page after the page header (go.etcd.io/bbolt/internal/common).
const (
	boltMagic       = 0xED0CDAED
	boltMagicOffset = 16
)

// kindOf returns what the file at path holds: nothing, a JSON state file
// (its first byte that is not white space is '{'), or a bbolt database
// (its magic number where bbolt writes it, in the byte order of either
// kind of machine). It fails for anything else.
func kindOf(path string) (kind, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return noState, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	switch {
	case err != nil:
		return 0, err
	case info.IsDir():
		return 0, errors.New("it is a directory")
	case !info.Mode().IsRegular():
		return 0, errors.New("it is not a regular file")
	case info.Size() == 0:
		return noState, nil
	}
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF {
		return 0, err
	}
	head = head[:n]
	if rest := bytes.TrimLeft(head, " \t\r\n"); len(rest) > 0 && rest[0] == '{' {
		return jsonState, nil
	}
	if len(head) >= boltMagicOffset+4 {
		m := head[boltMagicOffset : boltMagicOffset+4]
		if binary.LittleEndian.Uint32(m) == boltMagic || binary.BigEndian.Uint32(m) == boltMagic {
			return boltState, nil
		}
	}
	return 0, errors.New("it is neither a bbolt database nor a JSON state file")
}

// migrate replaces the JSON state file at path with a database holding the
// same secrets. It writes the database beside the file and renames it over
// the file, so that a crash at any instant leaves the JSON file or the
// database at path, whole; what it leaves beside path, removeLeftovers
// removes. It fails, leaving the JSON file, when the file does not load.
func migrate(path string, log *slog.Logger, opts []store.Option) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	snap, err := loadSnapshot(f, opts)
	f.Close()
	if err != nil {
		return err
	}
	tmp := path + migrationSuffix
	if err := writeDB(tmp, snap, opts); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return err
	}
	log.Info("migrated the JSON state file to a database", "state", path, "secrets", len(snap.Secrets))
	return nil
}

// writeDB writes a new database at path holding the secrets of snap.
func writeDB(path string, snap store.Snapshot, opts []store.Option) error {
	db, err := boltstate.Open(path)
	if err != nil {
		return err
	}
	st, err := store.Open(db, opts...)
	if err != nil {
		db.Close()
		return err
	}
	if _, err := importAll(st, snap.Secrets); err != nil {
		db.Close()
		return err
	}
	return db.Close() // each commit was synced
}

// syncDir makes the renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// loadSnapshot loads the JSON snapshot r with [store.Load], which checks
// it, and returns the secrets it holds (without those deleted for good
// since it was saved).
func loadSnapshot(r io.Reader, opts []store.Option) (store.Snapshot, error) {
	st, err := store.Load(bufio.NewReader(r), opts...)
	if err != nil {
		return store.Snapshot{}, err
	}
	return st.Snapshot(), nil
}

// importSnapshot adds the secrets of the JSON snapshot in the file name
// ("-": stdin) to st. It adds none when the file does not load or names a
// secret st holds.
func importSnapshot(st *store.Store, name string, stdin io.Reader, log *slog.Logger, opts []store.Option) error {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		r = f
	}
	snap, err := loadSnapshot(r, opts)
	if err != nil {
		return fmt.Errorf("import %s: nothing imported: %w", name, err)
	}
	var taken []string
	for _, s := range snap.Secrets {
		if _, err := st.Export(s.Name); err == nil {
			taken = append(taken, fmt.Sprintf("%q", s.Name))
		}
	}
	if n := len(taken); n > 0 {
		if n > 10 {
			taken = append(taken[:10], fmt.Sprintf("%d more", n-10))
		}
		return fmt.Errorf("import %s: nothing imported: the state holds %s already", name, strings.Join(taken, ", "))
	}
	if n, err := importAll(st, snap.Secrets); err != nil {
		return fmt.Errorf("import %s: %w (%d of the %d secrets were imported)", name, err, n, len(snap.Secrets))
	}
	log.Info("imported", "file", name, "secrets", len(snap.Secrets))
	return nil
}

// importWorkers is the number of secrets imported at once: the backend
// groups concurrent commits into one write and one sync.
const importWorkers = 256

// importAll imports secrets into st, many at a time, and returns the
// number imported. It stops at the first error.
func importAll(st *store.Store, secrets []store.SecretSnapshot) (int, error) {
	var (
		next, imported atomic.Int64
		mu             sync.Mutex
		first          error
		wg             sync.WaitGroup
	)
	for range min(importWorkers, len(secrets)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(secrets) {
					return
				}
				if err := st.Import(secrets[i]); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("secret %q: %w", secrets[i].Name, err)
					}
					mu.Unlock()
					next.Store(int64(len(secrets))) // the others stop after their current secret
					return
				}
				imported.Add(1)
			}
		})
	}
	wg.Wait()
	return int(imported.Load()), first
}

// export writes the JSON snapshot of st to the file name, "-" for stdout.
// It refuses to write over the state file itself.
func export(st *store.Store, name, state string, stdout io.Writer, log *slog.Logger) error {
	if name == "-" {
		return st.Save(stdout)
	}
	if state != "" {
		a, errA := os.Stat(name)
		b, errB := os.Stat(state)
		if errA == nil && errB == nil && os.SameFile(a, b) {
			return fmt.Errorf("export %s: that is the state itself", name)
		}
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	w := bufio.NewWriter(f)
	err = st.Save(w)
	if err == nil {
		err = w.Flush()
	}
	if info, statErr := f.Stat(); err == nil && statErr == nil && info.Mode().IsRegular() {
		err = f.Sync() // not /dev/null, a pipe or a terminal: they cannot sync
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	log.Info("exported", "file", name)
	return nil
}
