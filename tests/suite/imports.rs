//! `imports`, `.env` files and `config show`, on real files.

use crate::common;
use common::Project;

fn csv(out: &common::Out) -> &str {
    out.ok();
    &out.stdout
}

#[test]
fn imports_merge_globs_excludes_and_nested_files_with_their_own_paths() {
    let p = Project::new();
    p.write(
        "duckalog.yaml",
        "version: 1\nduckdb:\n  database: cat.duckdb\nimports:\n  - parts/*.yaml\n  - '!parts/broken.yaml'\nviews:\n  - name: total\n    sql: SELECT sum(n) AS s FROM numbers\n",
    );
    // An imported file's data paths resolve against its own folder, and it may import in turn.
    p.write("parts/numbers.yaml", "imports: [deeper/words.toml]\nviews:\n  - name: numbers\n    source: csv\n    uri: data/n.csv\n");
    p.write("parts/data/n.csv", "n\n1\n2\n3\n");
    p.write(
        "parts/deeper/words.toml",
        "[[views]]\nname = \"words\"\nsource = \"csv\"\nuri = \"w.csv\"\n",
    );
    p.write("parts/deeper/w.csv", "w\nhello\n");
    p.write("parts/broken.yaml", "views: [{name: numbers, sql: 'SELECT 1'}]\n");
    let out = p.run(&[
        "run",
        "-q",
        "SELECT (SELECT s FROM total) AS s, (SELECT w FROM words) AS w",
        "--format",
        "csv",
    ]);
    assert_eq!(csv(&out), "s,w\n6,hello\n");
}

#[test]
fn an_excluded_folder_excludes_everything_in_it() {
    let p = Project::new();
    p.write("v/a.yaml", "views: [{name: a, sql: 'SELECT 1'}]\n");
    p.write("v/old/b.yaml", "views: [{name: b, sql: 'SELECT 1'}]\n");
    p.write("v/old/deep/c.yaml", "views: [{name: c, sql: 'SELECT 1'}]\n");
    let views = |imports: &str| {
        p.write("main.yaml", &format!("imports: {imports}\n"));
        let out = p.run(&["config", "show", "main.yaml", "--format", "json"]);
        out.ok();
        let shown: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let names: Vec<String> = shown["views"]
            .as_array()
            .map(|v| v.iter().map(|v| v["name"].as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        names
    };
    assert_eq!(views("['v/**/*.yaml', '!v/old/**']"), ["a"]);
    assert_eq!(views("['v/**/*.yaml', '!v/old']"), ["a"]);
    assert_eq!(views("['v/**/*.yaml', '!v/old/deep/*']"), ["a", "b"]);
    assert!(views("['v/**/*.yaml', '!v/**']").is_empty());
}

#[test]
fn a_later_definition_replaces_only_with_override() {
    let p = Project::new();
    p.write("base.yaml", "views:\n  - name: v\n    sql: SELECT 'base' AS who\n");
    p.write("local.toml", "[[views]]\nname = \"V\"\nsql = \"SELECT 'local' AS who\"\n");
    p.write("plain.toml", "version = 1\nimports = [\"base.yaml\", \"local.toml\"]\n");
    p.run(&["validate", "plain.toml"]).fails(
        2,
        &[
            "local.toml",
            "views[0]",
            "view main.v is already defined in",
            "base.yaml",
            "override = true",
        ],
    );
    p.write(
        "over.toml",
        "version = 1\nimports = [\"base.yaml\", { path = \"local.toml\", override = true }]\n",
    );
    let out = p.run(&["run", "over.toml", "-q", "SELECT who FROM v", "--format", "csv"]);
    assert_eq!(csv(&out), "who\nlocal\n");
    // The importing file's own definitions count as a later file too.
    p.write(
        "main.toml",
        "imports = [\"base.yaml\"]\n[[views]]\nname = \"v\"\nsql = \"SELECT 1\"\n",
    );
    p.run(&["validate", "main.toml"]).fails(2, &["main.toml: views[0]", "already defined in"]);
}

#[test]
fn import_cycles_and_missing_files_are_named_in_order() {
    let p = Project::new();
    p.write("a.yaml", "imports: [b.yaml]\n");
    p.write("b.yaml", "imports: [c.yaml]\n");
    p.write("c.yaml", "imports: [a.yaml]\n");
    let out = p.run(&["validate", "a.yaml"]);
    out.fails(2, &["c.yaml: imports[0]: import cycle"]);
    let chain = out.stderr.split("import cycle: ").nth(1).unwrap();
    let order: Vec<&str> = chain
        .split(" -> ")
        .map(|f| f.rsplit('/').next().unwrap().split(' ').next().unwrap())
        .collect();
    assert_eq!(order, ["a.yaml", "b.yaml", "c.yaml", "a.yaml"], "{}", out.stderr);
    p.write("self.yaml", "imports: [self.yaml]\n");
    p.run(&["validate", "self.yaml"]).fails(2, &["import cycle"]);
    p.write("m.yaml", "imports: [nope.yaml, 'x/*.yaml']\n");
    p.run(&["validate", "m.yaml"]).fails(2, &["m.yaml: imports[0]", "nope.yaml not found"]);
    p.write("sections.yaml", "imports:\n  views: [l.yaml]\n");
    p.run(&["validate", "sections.yaml"])
        .fails(2, &["sections.yaml: imports (line 2", "by section are not supported", "convert"]);
    p.write("g.yaml", "imports: ['x/*.yaml']\n");
    p.run(&["validate", "g.yaml"]).fails(2, &["g.yaml: imports[0]", "no file matches"]);
    // A diamond is merged once, not reported as a duplicate.
    p.write("d.yaml", "imports: [l.yaml, r.yaml]\n");
    p.write("l.yaml", "imports: [shared.yaml]\n");
    p.write("r.yaml", "imports: [shared.yaml]\n");
    p.write("shared.yaml", "views: [{name: s, sql: 'SELECT 1'}]\n");
    p.run(&["validate", "d.yaml"]).ok();
}

#[test]
fn errors_in_an_imported_file_name_that_file() {
    let p = Project::new();
    p.write("main.yaml", "imports: [sub/bad.yaml]\n");
    p.write("sub/bad.yaml", "views:\n  - name: v\n    source: parquet\n");
    p.run(&["validate", "main.yaml"]).fails(2, &["sub/bad.yaml: views[0].uri", "needs a uri"]);
    p.write("sub/bad.yaml", "views:\n  - name: v\n    sql: [1\n");
    p.run(&["validate", "main.yaml"]).fails(2, &["bad.yaml", "line 3"]);
    // Errors DuckDB finds in an imported view's SQL name that file too.
    p.write(
        "sub/bad.yaml",
        "views:\n  - name: ok\n    sql: SELECT 1\n  - name: v\n    sql: SELEC 1\n",
    );
    p.run(&["run", "main.yaml"]).fails(2, &["sub/bad.yaml: views[1]: view", "syntax error"]);
    p.write("sub/bad.yaml", "views:\n  - name: v\n    sql: SELECT * FROM w\n");
    p.write("sub/other.yaml", "views:\n  - name: w\n    sql: SELECT * FROM v\n");
    p.write("main.yaml", "imports: [sub/bad.yaml, sub/other.yaml]\n");
    p.run(&["run", "main.yaml"]).fails(2, &["sub/bad.yaml: views[0]", "in a cycle"]);
}

#[test]
fn config_show_prints_the_merged_config_without_credentials() {
    let p = Project::new();
    p.write(
        "main.yaml",
        "version: 1\nduckdb:\n  database: c.duckdb\n  settings: {threads: 2}\nimports: [creds.yaml]\nviews:\n  - name: v\n    sql: SELECT 1\niceberg_catalogs:\n  - name: ice\n    uri: http://me:${env:DKL_SHOW_SECRET}@127.0.0.1:8181/\n    options: {token: t0k}\n",
    );
    p.write(
        "creds.yaml",
        "duckdb:\n  settings: {memory_limit: 1GB}\n  secrets:\n    - type: s3\n      name: lake\n      key_id: AKIASHOWCASE\n      secret: ${env:DKL_SHOW_SECRET}\n      region: eu-west-1\nattachments:\n  postgres:\n    - alias: pg\n      host: 127.0.0.1\n      port: 5432\n      database: db\n      user: me\n      password: ${env:DKL_SHOW_SECRET}\n",
    );
    let marker = "ShowMeNever-9f2c1";
    let env = [("DKL_SHOW_SECRET", marker)];
    let out = p.run_env(&["config", "show", "main.yaml", "--sources"], &env);
    out.ok();
    assert!(!out.stdout.contains(marker) && !out.stderr.contains(marker), "{}", out.stdout);
    // Credentials too short to be scrubbed are masked by their key.
    assert!(
        !out.stdout.contains("t0k") && out.stdout.contains("token = \"***\""),
        "{}",
        out.stdout
    );
    for words in [
        "region = \"eu-west-1\"",
        "secret = \"***\"",
        "password = \"***\"",
        "threads = 2",
        "memory_limit = \"1GB\"",
        "name = \"v\"",
    ] {
        assert!(out.stdout.contains(words), "lacks {words}:\n{}", out.stdout);
    }
    assert!(
        out.stdout.contains("secret lake: ") && out.stdout.contains("creds.yaml duckdb.secrets[0]"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("view main.v: main.yaml views[0]"), "{}", out.stdout);
    // The output is a config in its own right.
    let toml_out: toml::Value = toml::from_str(&out.stdout).expect("valid TOML");
    assert_eq!(toml_out["views"][0]["sql"].as_str(), Some("SELECT 1"));
    for format in ["yaml", "json"] {
        let out = p.run_env(
            &["config", "show", "main.yaml", "--format", format, "--sources", "-vv"],
            &env,
        );
        out.ok();
        assert!(
            !out.stdout.contains(marker) && !out.stderr.contains(marker),
            "{format}: {}",
            out.stdout
        );
    }
    let json = p.run_env(&["config", "show", "main.yaml", "--format", "json", "--sources"], &env);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["sources"].as_array().unwrap().len(), 4);
}

#[test]
fn dotenv_files_closer_and_later_win_and_the_environment_wins_over_all() {
    let p = Project::new();
    p.write(".env", "WHO=root\nFAR=far\nBOTH=root\n");
    p.write(
        "app/duckalog.yaml",
        "env_files: [.env, .env.local]\nviews:\n  - name: v\n    sql: SELECT '${env:WHO}' AS who, '${env:FAR}' AS far, '${env:BOTH}' AS both_, '${env:LOCAL}' AS loc\n",
    );
    p.write("app/.env", "WHO=app\nexport BOTH=\"app ${FAR}\" # comment\nLOCAL=plain\n");
    p.write("app/.env.local", "LOCAL='from local'\n");
    let q = [
        "run",
        "app/duckalog.yaml",
        "--db",
        ":memory:",
        "-q",
        "SELECT * FROM v",
        "--format",
        "csv",
    ];
    let out = p.run(&q);
    assert_eq!(csv(&out), "who,far,both_,loc\napp,far,app far,from local\n");
    let out = p.run_env(&q, &[("WHO", "process")]);
    assert_eq!(csv(&out), "who,far,both_,loc\nprocess,far,app far,from local\n");
    let mut off = q.to_vec();
    off.push("--no-dotenv");
    p.run(&off).fails(2, &["WHO is not set"]);
}

#[test]
fn a_dotenv_value_holding_a_placeholder_arrives_as_written() {
    // Interpolation happens once, while the file is read: a value that came
    // from .env is never expanded again, from .env or from the environment.
    let p = Project::new();
    p.write(".env", "URI='http://127.0.0.1:9/${env:DKL_INNER}'\nRETRIES='${env:DKL_INNER}'\n");
    let config = "[[iceberg_catalogs]]\nname = \"lake\"\ncatalog_type = \"rest\"\n\
                  uri = \"${env:URI}\"\nwarehouse = \"w\"\n";
    p.write("duckalog.toml", config);
    let out = p.run_env(&["generate-sql"], &[("DKL_INNER", "expanded")]);
    out.ok();
    assert!(out.stdout.contains("'http://127.0.0.1:9/${env:DKL_INNER}'"), "{}", out.stdout);
    assert!(!out.stdout.contains("expanded"), "{}", out.stdout);

    p.write(
        "duckalog.toml",
        "[[attachments.sqlite]]\nalias = \"a\"\npath = \"a.db\"\nretries = \"${env:RETRIES}\"\n",
    );
    let out = p.run_env(&["validate"], &[("DKL_INNER", "3")]);
    out.fails(2, &["retries", "expected a whole number"]);
}
