//! Catalogs of catalogs: `attachments.duckalog`.

use crate::common;
use common::Project;

fn three_levels(p: &Project) {
    p.write("lake/base/base.toml", "[duckdb]\ndatabase = \"base.duckdb\"\n\n[[views]]\nname = \"numbers\"\nsql = \"SELECT range AS n FROM range(6)\"\n");
    p.write(
        "lake/mid.yaml",
        "duckdb: {database: mid.duckdb}\nattachments:\n  duckalog:\n    - alias: base\n      config_path: base/base.toml\nviews:\n  - name: evens\n    sql: SELECT n FROM base.numbers WHERE n % 2 = 0\n  - name: evens_count\n    sql: SELECT count(*) AS c FROM evens\n",
    );
    p.write(
        "top.yaml",
        "duckdb: {database: top.duckdb}\nattachments:\n  duckalog:\n    - alias: mid\n      config_path: lake/mid.yaml\nviews:\n  - name: report\n    sql: SELECT (SELECT c FROM mid.evens_count) AS c, (SELECT max(n) FROM mid.evens) AS top\n",
    );
}

#[test]
fn a_child_view_over_a_grandchild_works_from_the_parent() {
    let p = Project::new();
    three_levels(&p);
    let out = p.run(&["run", "top.yaml", "-q", "SELECT * FROM report", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "c,top\n3,4\n");
    // Each level's database holds its own views, built by its own config.
    assert_eq!(p.views("lake/base/base.duckdb").len(), 1);
    assert_eq!(p.views("lake/mid.duckdb").len(), 2);

    // A change deep down reaches the parent on its next run.
    p.write("lake/base/base.toml", "[duckdb]\ndatabase = \"base.duckdb\"\n\n[[views]]\nname = \"numbers\"\nsql = \"SELECT range AS n FROM range(10)\"\n");
    let out = p.run(&["run", "top.yaml", "-v", "-q", "SELECT * FROM report", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "c,top\n5,8\n");
    assert!(
        out.stderr.contains("attached catalog base: catalog up to date: 0 created, 1 replaced"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "attached catalog mid: catalog up to date: 0 created, 0 replaced, 2 unchanged"
        ),
        "{}",
        out.stderr
    );

    // A read-only session attaches the children as they are.
    let out =
        p.run(&["run", "top.yaml", "--read-only", "-q", "SELECT c FROM report", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "c\n5\n");
}

#[test]
fn a_child_not_built_yet_is_its_own_error_in_a_read_only_session() {
    let p = Project::new();
    three_levels(&p);
    p.run(&["run", "top.yaml"]).ok();
    std::fs::remove_file(p.path("lake/mid.duckdb")).unwrap();
    p.run(&["query", "SELECT 1", "top.yaml"])
        .fails(6, &["mid.duckdb", "does not exist yet", "duckalog run"]);
    assert!(!p.path("lake/mid.duckdb").exists());
}

#[test]
fn a_database_override_and_a_writable_child() {
    let p = Project::new();
    three_levels(&p);
    p.write(
        "other.yaml",
        "duckdb: {database: other.duckdb}\nattachments:\n  duckalog:\n    - alias: m2\n      config_path: lake/mid.yaml\n      database: copies/mid-copy.duckdb\n      read_only: false\nviews:\n  - name: r\n    sql: SELECT count(*) AS c FROM m2.evens\n",
    );
    std::fs::create_dir_all(p.path("copies")).unwrap();
    let out = p.run(&["run", "other.yaml", "-q", "SELECT c FROM r", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "c\n3\n");
    assert_eq!(p.views("copies/mid-copy.duckdb").len(), 2);
    assert!(!p.path("lake/mid.duckdb").exists());
}

#[test]
fn cycles_depth_memory_children_and_clashing_aliases_are_refused() {
    let p = Project::new();
    p.write("a.yaml", "duckdb: {database: a.duckdb}\nattachments: {duckalog: [{alias: b, config_path: b.yaml}]}\n");
    p.write("b.yaml", "duckdb: {database: b.duckdb}\nattachments: {duckalog: [{alias: a, config_path: a.yaml}]}\n");
    let out = p.run(&["run", "a.yaml"]);
    out.fails(
        2,
        &["b.yaml: attachments.duckalog[0].config_path", "catalogs attach each other in a cycle"],
    );
    let chain = out.stderr.split("cycle: ").nth(1).unwrap();
    let order: Vec<&str> =
        chain.trim().split(" -> ").map(|f| f.rsplit('/').next().unwrap()).collect();
    assert_eq!(order, ["a.yaml", "b.yaml", "a.yaml"]);
    assert!(
        !p.path("a.duckdb").exists() && !p.path("b.duckdb").exists(),
        "nothing is built before the check"
    );

    for i in 0..10 {
        p.write(&format!("d{i}.yaml"), &format!("duckdb: {{database: d{i}.duckdb}}\nattachments: {{duckalog: [{{alias: x{i}, config_path: d{}.yaml}}]}}\n", i + 1));
    }
    p.write("d10.yaml", "duckdb: {database: d10.duckdb}\n");
    p.run(&["validate", "d0.yaml"]).fails(2, &["nest more than 8 deep"]);

    p.write("mem.yaml", "views: [{name: v, sql: 'SELECT 1'}]\n");
    p.write("usesmem.yaml", "attachments: {duckalog: [{alias: m, config_path: mem.yaml}]}\n");
    p.run(&["validate", "usesmem.yaml"])
        .fails(2, &["usesmem.yaml: attachments.duckalog[0]", "in memory"]);

    p.write("kid.yaml", "duckdb: {database: kid.duckdb}\nattachments: {sqlite: [{alias: shared, path: one.sqlite}]}\n");
    p.write("clash.yaml", "attachments:\n  sqlite: [{alias: shared, path: two.sqlite}]\n  duckalog: [{alias: kid, config_path: kid.yaml}]\n");
    p.run(&["validate", "clash.yaml"]).fails(
        2,
        &[
            "clash.yaml: attachments.sqlite[0]: alias \"shared\" is also used by",
            "kid.yaml",
            "rename one",
        ],
    );
    // The parent's clashing definition may come from an imported file, which is then the one named.
    p.write("part.yaml", "attachments: {sqlite: [{alias: shared, path: two.sqlite}]}\n");
    p.write(
        "clash2.yaml",
        "imports: [part.yaml]\nattachments: {duckalog: [{alias: kid, config_path: kid.yaml}]}\n",
    );
    p.run(&["validate", "clash2.yaml"])
        .fails(2, &["part.yaml: attachments.sqlite[0]: alias \"shared\""]);
    p.write("skid.yaml", "duckdb: {database: skid.duckdb, secrets: [{name: s3a, type: s3, key_id: one, secret: MKlendsecret1}]}\n");
    p.write(
        "spart.yaml",
        "duckdb: {secrets: [{name: S3A, type: s3, key_id: two, secret: MKlendsecret2}]}\n",
    );
    p.write(
        "sclash.yaml",
        "imports: [spart.yaml]\nattachments: {duckalog: [{alias: kid, config_path: skid.yaml}]}\n",
    );
    let out = p.run(&["validate", "sclash.yaml"]);
    out.fails(
        2,
        &[
            "spart.yaml: duckdb.secrets[0].name: secret \"s3a\" is also defined, differently, by",
            "skid.yaml",
        ],
    );
    assert!(!out.stderr.contains("MKlend"), "{}", out.stderr);
    p.write("same.yaml", "duckdb: {database: kid.duckdb}\nattachments: {duckalog: [{alias: kid, config_path: kid.yaml}]}\n");
    p.run(&["validate", "same.yaml"])
        .fails(2, &["same.yaml: attachments.duckalog[0]", "this config's own database"]);
    p.write("nokid.yaml", "attachments: {duckalog: [{alias: k, config_path: missing.yaml}]}\n");
    p.run(&["validate", "nokid.yaml"]).fails(2, &["config_path", "missing.yaml not found"]);
}

#[test]
fn a_catalog_reached_twice_is_brought_up_to_date_once() {
    let p = Project::new();
    three_levels(&p);
    p.write(
        "lake/mid2.yaml",
        "duckdb: {database: mid2.duckdb}\nattachments:\n  duckalog:\n    - alias: base\n      config_path: base/base.toml\nviews:\n  - name: odds\n    sql: SELECT n FROM base.numbers WHERE n % 2 = 1\n",
    );
    p.write(
        "both.yaml",
        "duckdb: {database: both.duckdb}\nattachments:\n  duckalog:\n    - {alias: mid, config_path: lake/mid.yaml}\n    - {alias: mid2, config_path: lake/mid2.yaml}\nviews:\n  - name: all_n\n    sql: SELECT count(*) AS c FROM (SELECT n FROM mid.evens UNION ALL SELECT n FROM mid2.odds)\n",
    );
    let out = p.run(&["run", "both.yaml", "-v", "-q", "SELECT c FROM all_n", "--format", "csv"]);
    out.ok();
    assert_eq!(out.stdout, "c\n6\n");
    assert_eq!(out.stderr.matches("bringing attached catalog base ").count(), 1, "{}", out.stderr);
}
