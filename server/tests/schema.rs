//! The two migration folders define one schema: the same tables, columns (with matching
//! types and nullability), primary keys, foreign keys, unique and plain indexes, and
//! CHECK constraints (compared by the columns each one reads, as the two dialects print
//! expressions differently).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Backend, TestDb};
use server::live::Hub;
use sqlx::Connection;

/// One dialect's schema in comparable terms.
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    /// Table → column → (portable type, nullable).
    columns: BTreeMap<String, BTreeMap<String, (&'static str, bool)>>,
    /// Table → primary-key columns.
    primary_keys: BTreeMap<String, Vec<String>>,
    /// (table, column, referenced table, referenced column).
    foreign_keys: BTreeSet<(String, String, String, String)>,
    /// (table, columns, unique).
    indexes: BTreeSet<(String, Vec<String>, bool)>,
    /// Table → the column sets of its CHECK constraints, one entry per constraint.
    checks: BTreeMap<String, Vec<BTreeSet<String>>>,
}

/// A column type in terms both dialects share: how a value is stored by Pitlane.
fn portable(dialect_type: &str) -> &'static str {
    match dialect_type.to_ascii_lowercase().as_str() {
        "uuid" | "blob" => "id",
        "bigint" | "integer" => "integer",
        // SQLite keeps instants as TEXT in one documented format (`storage::dbtime`).
        "timestamp with time zone" | "text" => "text",
        "boolean" => "boolean",
        other => panic!("a column type with no counterpart: {other}"),
    }
}

/// The identifiers among `columns` that an expression mentions.
fn mentioned(
    expression: &str,
    columns: &BTreeMap<String, (&'static str, bool)>,
) -> BTreeSet<String> {
    expression
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| columns.contains_key(*word))
        .map(str::to_owned)
        .collect()
}

/// The bodies of the `CHECK (...)` clauses in a `CREATE TABLE` or `ALTER TABLE` text.
fn check_clauses(sql: &str) -> Vec<String> {
    let upper = sql.to_ascii_uppercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = upper[from..].find("CHECK") {
        let start = from + at + "CHECK".len();
        let Some(open) = sql[start..].find('(') else {
            break;
        };
        let mut depth = 0;
        let mut end = start + open;
        for (i, c) in sql[start + open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = start + open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push(sql[start + open + 1..end].to_owned());
        from = end;
    }
    out
}

async fn sqlite_schema(url: &str) -> Schema {
    let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect");
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("tables");
    let mut schema = Schema::default();
    for (table, sql) in tables {
        let cols: Vec<(i64, String, String, i64, Option<String>, i64)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("PRAGMA table_info('{table}')")))
                .fetch_all(&mut conn)
                .await
                .expect("columns");
        let mut columns = BTreeMap::new();
        let mut pk: Vec<(i64, String)> = Vec::new();
        for (_, name, ty, notnull, _, pk_pos) in cols {
            // SQLite lets a non-INTEGER primary key hold NULL; Pitlane never writes one,
            // and PostgreSQL refuses it: compare as NOT NULL.
            columns.insert(name.clone(), (portable(&ty), notnull == 0 && pk_pos == 0));
            if pk_pos > 0 {
                pk.push((pk_pos, name));
            }
        }
        pk.sort();
        schema
            .primary_keys
            .insert(table.clone(), pk.into_iter().map(|(_, n)| n).collect());
        let fks: Vec<(i64, i64, String, String, Option<String>)> = sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
                "SELECT id, seq, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('{table}')"
            )),
        )
        .fetch_all(&mut conn)
        .await
        .expect("foreign keys");
        for (_, _, to_table, from, to) in fks {
            schema.foreign_keys.insert((
                table.clone(),
                from,
                to_table,
                to.unwrap_or_else(|| "id".into()),
            ));
        }
        let indexes: Vec<(String, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT name, \"unique\", origin FROM pragma_index_list('{table}')"
        )))
        .fetch_all(&mut conn)
        .await
        .expect("indexes");
        for (name, unique, origin) in indexes {
            if origin == "pk" {
                continue;
            }
            let cols: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                // An index on an expression has no column name: compared as such.
                "SELECT COALESCE(name, '(expression)') FROM pragma_index_info('{name}') ORDER BY seqno"
            )))
            .fetch_all(&mut conn)
            .await
            .expect("index columns");
            schema.indexes.insert((
                table.clone(),
                cols.into_iter().map(|(c,)| c).collect(),
                unique == 1,
            ));
        }
        let mut checks: Vec<BTreeSet<String>> = check_clauses(&sql)
            .iter()
            .map(|c| mentioned(c, &columns))
            .collect();
        checks.sort();
        schema.checks.insert(table.clone(), checks);
        schema.columns.insert(table, columns);
    }
    schema
}

/// A constraint: its table, kind, columns, referenced table and columns, definition.
type ConstraintRow = (
    String,
    String,
    Vec<String>,
    Option<String>,
    Vec<String>,
    String,
);

async fn postgres_schema(url: &str) -> Schema {
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    let cols: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("columns");
    let mut schema = Schema::default();
    for (table, column, ty, nullable) in cols {
        schema
            .columns
            .entry(table)
            .or_default()
            .insert(column, (portable(&ty), nullable == "YES"));
    }
    // Every constraint with its columns, in key order.
    let constraints: Vec<ConstraintRow> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.contype::text,
                    ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                          ORDER BY k.i),
                    c.confrelid::regclass::text,
                    ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
                          ORDER BY k.i),
                    pg_get_constraintdef(c.oid)
             FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
             WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("constraints");
    for (table, kind, cols, to_table, to_cols, definition) in constraints {
        match kind.as_str() {
            "p" => {
                schema.primary_keys.insert(table, cols);
            }
            "f" => {
                for (from, to) in cols.into_iter().zip(to_cols) {
                    schema.foreign_keys.insert((
                        table.clone(),
                        from,
                        to_table.clone().unwrap_or_default(),
                        to,
                    ));
                }
            }
            // SQLite keeps UNIQUE constraints as unique indexes: compare them as such.
            "u" => {
                schema.indexes.insert((table, cols, true));
            }
            "c" => {
                let columns = schema.columns.get(&table).cloned().unwrap_or_default();
                schema
                    .checks
                    .entry(table)
                    .or_default()
                    .push(mentioned(&definition, &columns));
            }
            other => panic!("a constraint of kind {other} on {table}"),
        }
    }
    for checks in schema.checks.values_mut() {
        checks.sort();
    }
    for table in schema.columns.keys() {
        schema.checks.entry(table.clone()).or_default();
    }
    // Indexes that are not a constraint's.
    let indexes: Vec<(String, Vec<String>, bool)> = sqlx::query_as(
        "SELECT t.relname::text,
                ARRAY(SELECT COALESCE(a.attname::text, '(expression)')
                      FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
                      LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
                      ORDER BY k.o),
                i.indisunique
         FROM pg_index i
         JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = 'public' AND t.relname <> '_sqlx_migrations'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
    )
    .fetch_all(&mut conn)
    .await
    .expect("indexes");
    schema.indexes.extend(indexes);
    schema
}

#[tokio::test]
#[cfg_attr(skip_postgres, ignore = "PITLANE_SKIP_POSTGRES=1")]
async fn both_migration_folders_define_the_same_schema() {
    let lite = TestDb::new(Backend::Sqlite).await.expect("sqlite");
    let pg = TestDb::new(Backend::Postgres).await.expect("postgres");
    lite.open(Hub::new(), false).await;
    pg.open(Hub::new(), false).await;
    let (lite, pg) = (
        sqlite_schema(&lite.url).await,
        postgres_schema(&pg.url).await,
    );

    assert!(
        lite.columns.contains_key("transfers"),
        "the schema was read"
    );
    assert_eq!(
        lite.columns.keys().collect::<Vec<_>>(),
        pg.columns.keys().collect::<Vec<_>>(),
        "tables"
    );
    for (table, columns) in &lite.columns {
        assert_eq!(Some(columns), pg.columns.get(table), "columns of {table}");
    }
    assert_eq!(lite.primary_keys, pg.primary_keys, "primary keys");
    assert_eq!(lite.foreign_keys, pg.foreign_keys, "foreign keys");
    assert_eq!(lite.indexes, pg.indexes, "indexes");
    assert_eq!(lite.checks, pg.checks, "check constraints");
}
