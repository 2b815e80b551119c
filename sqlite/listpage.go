package sqlite

import (
	"context"
	"errors"
	"strings"

	"github.com/coordapi/coord"
)

// A page read in two steps (see listcache.go): the page's ids and
// versions, then the rows missing from the cache by id.

// errPageMoved means that a session of the page changed between its two
// queries; the page is then read again in one query.
var errPageMoved = errors.New("a session of the page changed while it was read")

// pageIDsQuery selects the ids and versions of the page listQuery(f)
// selects, by the same index.
func pageIDsQuery(f coord.SessionFilter) (string, []any) {
	return pageQuery(`id, version`, f)
}

// The second query's sizes: the missing ids are padded to the next of
// these (with 0, which no session has: AUTOINCREMENT starts at 1), so a
// handful of statement texts serve every page.
var byIDSizes = [...]int{1, 2, 4, 8, 16, 32, 64, 128}

// byIDQueries[i] selects the list rows, location included, of
// byIDSizes[i] ids.
var byIDQueries = func() (qs [len(byIDSizes)]string) {
	for i, n := range byIDSizes {
		qs[i] = `SELECT ` + listCols + `, location_id FROM sessions WHERE id IN (?` + strings.Repeat(`, ?`, n-1) + `)`
	}
	return qs
}()

// byIDQuery returns the query and arguments that select the rows of ids
// (len(ids) ≤ the largest size, which is above coord.MaxPageSize).
func byIDQuery(ids []int64) (string, []any) {
	i := 0
	for byIDSizes[i] < len(ids) {
		i++
	}
	args := make([]any, byIDSizes[i])
	for j := range args {
		args[j] = int64(0)
		if j < len(ids) {
			args[j] = ids[j]
		}
	}
	return byIDQueries[i], args
}

// listPage reads the page of f from the reader pool through the list
// cache, and reports whether any of its rows is due. A page whose session
// changed between the two queries is read again by listSessions, in one.
func (db *DB) listPage(ctx context.Context, now int64, f coord.SessionFilter) ([]*coord.Session, bool, error) {
	list, due, err := db.cachedPage(ctx, now, f)
	if errors.Is(err, errPageMoved) {
		query, args := listQuery(f)
		return listSessions(ctx, db.ro, now, f, query, args)
	}
	return list, due, err
}

// cachedPage reads the page's ids and versions, takes the rows cached at
// those versions and reads the others by id, in a second query.
func (db *DB) cachedPage(ctx context.Context, now int64, f coord.SessionFilter) ([]*coord.Session, bool, error) {
	ids, versions, err := pageIDs(ctx, db.ro, f)
	if err != nil || len(ids) == 0 {
		return []*coord.Session{}, false, err
	}
	page := make([]coord.Session, len(ids))
	list := make([]*coord.Session, len(ids))
	misses := db.lists.lookup(f.UserID, ids, versions, page)
	for i := range page {
		list[i] = &page[i]
	}
	if len(misses) == 0 {
		return list, false, nil
	}
	missed := make([]int64, len(misses))
	for j, i := range misses {
		missed[j] = ids[i]
	}
	rows, err := rowsByID(ctx, db.ro, f.UserID, missed)
	if err != nil {
		return nil, false, err
	}
	due, err := fillMisses(list, versions, misses, missed, rows, now)
	if err != nil {
		return nil, false, err
	}
	fetched := make([]*listRow, 0, len(rows))
	for _, r := range rows {
		fetched = append(fetched, r)
	}
	db.lists.keep(fetched)
	return list, due, nil
}

// fillMisses puts the rows read by id (rows, of the ids missed) into
// list at their indexes (misses) and reports whether any is due; a row
// missing or at another version than the page's first query read means
// that the session changed in between: errPageMoved.
func fillMisses(list []*coord.Session, versions []int64, misses []int, missed []int64, rows map[int64]*listRow, now int64) (due bool, err error) {
	for j, i := range misses {
		r := rows[missed[j]]
		if r == nil || r.Version != versions[i] {
			return false, errPageMoved
		}
		due = due || r.due(now)
		list[i] = &r.Session
	}
	return due, nil
}

// pageIDs runs the page's id query.
func pageIDs(ctx context.Context, q querier, f coord.SessionFilter) (ids, versions []int64, err error) {
	query, args := pageIDsQuery(f)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	ids, versions = make([]int64, 0, f.Limit), make([]int64, 0, f.Limit)
	// Scanned into anys, which database/sql fills without its reflective
	// conversion (see listrow.go).
	var id, version any
	for rows.Next() {
		if err := rows.Scan(&id, &version); err != nil {
			return nil, nil, err
		}
		ids = append(ids, integer(id, &err))
		versions = append(versions, integer(version, &err))
		if err != nil {
			return nil, nil, err
		}
	}
	return ids, versions, rows.Err()
}

// rowsByID reads the list rows of ids, of userID, by id.
func rowsByID(ctx context.Context, q querier, userID string, ids []int64) (map[int64]*listRow, error) {
	query, args := byIDQuery(ids)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sc := newListScanner(coord.SessionFilter{UserID: userID, Limit: len(ids)})
	byID := make(map[int64]*listRow, len(ids))
	for rows.Next() {
		r, err := sc.scan(rows)
		if err != nil {
			return nil, err
		}
		byID[r.ID] = r
	}
	return byID, rows.Err()
}
