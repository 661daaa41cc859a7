//! The order views must be created in. DuckDB binds a view when it is created,
//! so a view over another configured view needs that one first, whatever the
//! config order. References are read from DuckDB's own parser
//! (`json_serialize_sql`), which also proves each body is one SELECT.

use crate::config::ViewDef;
use crate::error::{Error, Result};
use duckdb::Connection;
use serde_json::Value as Json;
use std::collections::{HashMap, HashSet};

const ONE_SELECT: &str = "a view's SQL must be exactly one SELECT statement";

/// A table name as written in a query: catalog and schema may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TableRef {
    pub(crate) catalog: String,
    pub(crate) schema: String,
    pub(crate) name: String,
}

/// Views are parsed this many at a time, in one query.
const PARSE_BATCH: usize = 500;

/// Parses each view body and returns the tables it reads, view by view.
pub(crate) fn references(conn: &Connection, views: &[&ViewDef]) -> Result<Vec<Vec<TableRef>>> {
    let mut out = Vec::with_capacity(views.len());
    for chunk in views.chunks(PARSE_BATCH) {
        let rows: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, v)| format!("({i}, {})", crate::sql::literal(&v.body)))
            .collect();
        let q = format!(
            "SELECT json_serialize_sql(s) FROM (VALUES {}) t(i, s) ORDER BY i",
            rows.join(", ")
        );
        let db = |e: duckdb::Error| Error::database("parsing the views' SQL", e);
        let mut stmt = conn.prepare(&q).map_err(db)?;
        let parsed: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(db)?
            .collect::<duckdb::Result<_>>()
            .map_err(db)?;
        for (view, json) in chunk.iter().zip(parsed) {
            out.push(reads(view, &json)?);
        }
    }
    Ok(out)
}

/// The tables one serialized statement reads.
fn reads(view: &ViewDef, json: &str) -> Result<Vec<TableRef>> {
    let fail = |msg: &str| {
        view.origin.error("", format!("view {}: {}", view.qualified(), crate::error::one_line(msg)))
    };
    let parsed: Json = serde_json::from_str(json).map_err(|e| fail(&e.to_string()))?;
    if parsed["error"].as_bool() == Some(true) {
        let msg = parsed["error_message"].as_str().unwrap_or("cannot parse the view's SQL");
        if msg.starts_with("Only SELECT statements") {
            return Err(fail(ONE_SELECT));
        }
        return Err(fail(&format!("invalid SQL: {msg}")));
    }
    match parsed["statements"].as_array().map(Vec::len) {
        Some(1) => {}
        _ => return Err(fail(ONE_SELECT)),
    }
    let mut ctes = HashSet::new();
    let mut refs = Vec::new();
    walk(&parsed["statements"], &mut refs, &mut ctes);
    refs.retain(|r| {
        !(r.catalog.is_empty() && r.schema.is_empty() && ctes.contains(&r.name.to_lowercase()))
    });
    Ok(refs)
}

fn walk(node: &Json, refs: &mut Vec<TableRef>, ctes: &mut HashSet<String>) {
    match node {
        Json::Object(map) => {
            if map.get("type").and_then(Json::as_str) == Some("BASE_TABLE") {
                let s = |k: &str| map.get(k).and_then(Json::as_str).unwrap_or("").to_string();
                refs.push(TableRef {
                    catalog: s("catalog_name"),
                    schema: s("schema_name"),
                    name: s("table_name"),
                });
            }
            if let Some(entries) =
                map.get("cte_map").and_then(|c| c.get("map")).and_then(Json::as_array)
            {
                for e in entries {
                    if let Some(k) = e.get("key").and_then(Json::as_str) {
                        ctes.insert(k.to_lowercase());
                    }
                }
            }
            for v in map.values() {
                walk(v, refs, ctes);
            }
        }
        Json::Array(items) => items.iter().for_each(|v| walk(v, refs, ctes)),
        _ => {}
    }
}

/// What one view reads: configured views (positions in the input) and
/// other catalogs (attachment aliases, lower-cased).
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub(crate) needs: Vec<usize>,
    pub(crate) catalogs: Vec<String>,
}

/// The reads of every view in `views`. `catalog` is the name of the database
/// the views live in.
pub(crate) fn graph(conn: &Connection, views: &[&ViewDef], catalog: &str) -> Result<Vec<Node>> {
    let index: HashMap<(String, String), usize> = views
        .iter()
        .enumerate()
        .map(|(i, v)| ((v.schema.to_lowercase(), v.name.to_lowercase()), i))
        .collect();
    let mut nodes = Vec::with_capacity(views.len());
    for (i, refs) in references(conn, views)?.into_iter().enumerate() {
        let mut node = Node::default();
        for r in refs {
            match (r.catalog.is_empty(), r.schema.is_empty()) {
                // `x.t` is schema x or database x: either reading may be meant.
                (true, false) => node.catalogs.push(r.schema.to_lowercase()),
                (false, _) if !r.catalog.eq_ignore_ascii_case(catalog) => {
                    node.catalogs.push(r.catalog.to_lowercase())
                }
                _ => {}
            }
            let Some(key) = local_key(&r, catalog) else { continue };
            if let Some(&j) = index.get(&key) {
                if j != i && !node.needs.contains(&j) {
                    node.needs.push(j);
                }
            }
        }
        nodes.push(node);
    }
    Ok(nodes)
}

/// The `(schema, name)` in the catalog `catalog` that `r` may name, lower-cased;
/// `None` when it names another database.
fn local_key(r: &TableRef, catalog: &str) -> Option<(String, String)> {
    let schema = match (r.catalog.is_empty(), r.schema.is_empty()) {
        (true, true) => "main".to_string(),
        (true, false) => r.schema.to_lowercase(),
        (false, _) if r.catalog.eq_ignore_ascii_case(catalog) => {
            if r.schema.is_empty() {
                "main".to_string()
            } else {
                r.schema.to_lowercase()
            }
        }
        (false, _) => return None,
    };
    Some((schema, r.name.to_lowercase()))
}

/// The positions of the views of `views` that read a view named in `changed`
/// (lower-cased `(schema, name)` in the catalog `catalog`), directly or
/// through other views of `views`.
pub(crate) fn readers(
    conn: &Connection,
    views: &[&ViewDef],
    changed: &HashSet<(String, String)>,
    catalog: &str,
) -> Result<Vec<usize>> {
    let refs = references(conn, views)?;
    let mut reached = changed.clone();
    let mut found = vec![false; views.len()];
    loop {
        let mut more = false;
        for (i, reads) in refs.iter().enumerate() {
            if !found[i]
                && reads.iter().filter_map(|r| local_key(r, catalog)).any(|k| reached.contains(&k))
            {
                found[i] = true;
                more = true;
                reached.insert((views[i].schema.to_lowercase(), views[i].name.to_lowercase()));
            }
        }
        if !more {
            return Ok((0..views.len()).filter(|&i| found[i]).collect());
        }
    }
}

/// Orders `views` so that every view comes after the configured views it
/// reads; otherwise config order is kept. Returns positions in `views`.
pub(crate) fn order(conn: &Connection, views: &[&ViewDef], catalog: &str) -> Result<Vec<usize>> {
    let needs: Vec<Vec<usize>> =
        graph(conn, views, catalog)?.into_iter().map(|n| n.needs).collect();
    topological(views, &needs)
}

/// The positions of the views that read any of `aliases`, directly or
/// through other views.
pub(crate) fn reading(nodes: &[Node], aliases: &HashSet<String>) -> HashSet<usize> {
    let mut out: HashSet<usize> = (0..nodes.len())
        .filter(|&i| nodes[i].catalogs.iter().any(|c| aliases.contains(c)))
        .collect();
    loop {
        let more: Vec<usize> = (0..nodes.len())
            .filter(|i| !out.contains(i) && nodes[*i].needs.iter().any(|n| out.contains(n)))
            .collect();
        if more.is_empty() {
            return out;
        }
        out.extend(more);
    }
}

/// Fails naming a view on the cycle, and the cycle itself.
fn topological(views: &[&ViewDef], needs: &[Vec<usize>]) -> Result<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut marks = vec![Mark::New; views.len()];
    let mut out = Vec::with_capacity(views.len());
    // Depth-first from each view in config order; an explicit stack keeps deep
    // chains of views from exhausting the thread's stack.
    for start in 0..views.len() {
        if marks[start] != Mark::New {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        marks[start] = Mark::Active;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&dep) = needs[node].get(*next) {
                *next += 1;
                match marks[dep] {
                    Mark::Done => {}
                    Mark::New => {
                        marks[dep] = Mark::Active;
                        stack.push((dep, 0));
                    }
                    Mark::Active => {
                        let from = stack.iter().position(|&(n, _)| n == dep).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            stack[from..].iter().map(|&(n, _)| views[n].qualified()).collect();
                        cycle.push(views[dep].qualified());
                        return Err(views[dep].origin.error(
                            "",
                            format!(
                                "views depend on each other in a cycle: {}",
                                cycle.join(" -> ")
                            ),
                        ));
                    }
                }
            } else {
                marks[node] = Mark::Done;
                out.push(node);
                stack.pop();
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(name: &str) -> ViewDef {
        ViewDef {
            schema: "main".into(),
            name: name.into(),
            body: String::new(),
            description: None,
            tags: vec![],
            extensions: vec![],
            origin: Default::default(),
        }
    }

    #[test]
    fn orders_dependencies_first_and_keeps_config_order_otherwise() {
        let (a, b, c, d) = (view("a"), view("b"), view("c"), view("d"));
        let views = vec![&a, &b, &c, &d];
        // a needs c, c needs d; b is independent.
        let order = topological(&views, &[vec![2], vec![], vec![3], vec![]]).unwrap();
        let names: Vec<&str> = order.iter().map(|&i| views[i].name.as_str()).collect();
        assert_eq!(names, ["d", "c", "a", "b"]);
    }

    #[test]
    fn reports_cycles_in_order() {
        let (a, b) = (view("a"), view("b"));
        let err = topological(&[&a, &b], &[vec![1], vec![0]]).unwrap_err().to_string();
        assert!(err.contains("\"main\".\"a\" -> \"main\".\"b\" -> \"main\".\"a\""), "{err}");
    }
}
