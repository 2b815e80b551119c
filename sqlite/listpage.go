package sqlite

import (
	"context"
	"errors"

	"github.com/coordapi/coord"
)

// A page read in two steps (see listcache.go): the page's ids and
// versions, then the rows missing from the cache.

// errPageMoved means that a session of the page changed between its two
// queries; the page is then read again in one query.
var errPageMoved = errors.New("a session of the page changed while it was read")

// pageIDsQuery selects the ids and versions of the page listQuery(f)
// selects, by the same index, which holds both (migration 6).
func pageIDsQuery(f coord.SessionFilter) (string, []any) {
	return pageQuery(`id, version`, f)
}

// rangeQuery selects the list rows of f's sessions with ids from lo to hi,
// newest first, by the page's index. The rows a page misses are between
// its newest miss and its oldest, and those of the page's rows are all
// the filter's rows there: ids are never reused and grow (AUTOINCREMENT),
// and a session's user and location never change. So one range reads the
// misses, with no more rows than a page, and in the page's order; a page
// that misses only its open session reads one row.
func rangeQuery(f coord.SessionFilter, lo, hi int64) (string, []any) {
	cols := listCols
	if f.LocationID == "" {
		cols += `, location_id`
	}
	q := `SELECT ` + cols + ` FROM sessions WHERE user_id = ?`
	args := []any{f.UserID}
	if f.LocationID != "" {
		q += ` AND location_id = ?`
		args = append(args, f.LocationID)
	}
	return q + ` AND id BETWEEN ? AND ? ORDER BY id DESC`, append(args, lo, hi)
}

// listPage reads the page of f from the reader pool, through the list
// cache while it is worth it, and reports whether any of its rows is due.
// Otherwise, or when a session of the page changed between the two
// queries, the page is read in one query, and its rows still counted
// against the cache; they are kept while the cache is worth it, or for
// one page in keepOneIn (so that a page listed again can find its rows
// and bring the cache back) when it is not: copying every row of every
// page into a cache that evicts them before they are read again cost a
// quarter more per page.
func (db *DB) listPage(ctx context.Context, now int64, f coord.SessionFilter) ([]*coord.Session, bool, error) {
	if db.lists.worthIDs() {
		list, due, err := db.cachedPage(ctx, now, f)
		if !errors.Is(err, errPageMoved) {
			return list, due, err
		}
	}
	query, args := listQuery(f)
	rows, err := listRows(ctx, db.ro, f, query, args)
	if err != nil {
		return nil, false, err
	}
	if uncached := db.lists.uncached(rows); db.lists.worthIDs() || db.lists.sampled() {
		db.lists.keep(uncached)
	}
	list, due := sessionsOf(rows, now)
	return list, due, nil
}

// cachedPage reads the page's ids and versions, takes the rows cached at
// those versions and reads the others in a second query.
func (db *DB) cachedPage(ctx context.Context, now int64, f coord.SessionFilter) ([]*coord.Session, bool, error) {
	ids, versions, err := pageIDs(ctx, db.ro, f)
	if err != nil || len(ids) == 0 {
		return []*coord.Session{}, false, err
	}
	list := make([]*coord.Session, len(ids))
	found := make([]*listEntry, len(ids))
	misses := db.lists.lookup(ids, versions, found)
	if hits := len(ids) - len(misses); hits > 0 {
		// The cached rows stay as cached: the page gets copies.
		page := make([]coord.Session, 0, hits)
		for i, e := range found {
			if e != nil {
				page = append(page, e.s)
				s := &page[len(page)-1]
				s.UserID = f.UserID
				list[i] = s
			}
		}
	}
	if len(misses) == 0 {
		return list, false, nil
	}
	first, last := misses[0], misses[len(misses)-1]
	query, args := rangeQuery(f, ids[last], ids[first])
	read, err := listRows(ctx, db.ro, coord.SessionFilter{UserID: f.UserID, LocationID: f.LocationID, Limit: last - first + 1}, query, args)
	if err != nil {
		return nil, false, err
	}
	filled, due, err := fillMisses(list[first:last+1], ids[first:last+1], versions[first:last+1], read, now)
	if err != nil {
		return nil, false, err
	}
	db.lists.keep(filled)
	return list, due, nil
}

// fillMisses puts the rows of a range (read, newest first) into the page's
// slots (list, of ids at versions) that are still empty, and returns those
// rows and whether any is due. The range must be the page's rows of those
// ids, each miss at the version the page's first query read; anything else
// means the page changed between its queries: errPageMoved.
func fillMisses(list []*coord.Session, ids, versions []int64, read []*listRow, now int64) (filled []*listRow, due bool, err error) {
	if len(read) != len(ids) {
		return nil, false, errPageMoved
	}
	for k, r := range read {
		if r.ID != ids[k] {
			return nil, false, errPageMoved
		}
		if list[k] != nil { // from the cache
			continue
		}
		if r.Version != versions[k] {
			return nil, false, errPageMoved
		}
		due = due || r.due(now)
		list[k] = &r.Session
		filled = append(filled, r)
	}
	return filled, due, nil
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
