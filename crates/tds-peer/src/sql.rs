//! SQL batch handling by pattern matching (not a SQL engine). Understood statements:
//! `[IF OBJECT_ID(...) IS NULL] CREATE TABLE`, `SELECT TOP 0 <cols> FROM <table>` (the
//! column-metadata probe before a bulk insert), `INSERT BULK <table> (...)`,
//! `SELECT DISTINCT <col> / <n> AS <alias> FROM <table> [WHERE <col> <op> <n> [AND ...]]`,
//! the islands query `SELECT MIN(col) AS lo, MAX(col) AS hi FROM (... SELECT DISTINCT col FROM
//! <table> WHERE ... ) ...` (runs of consecutive values, ascending), `SELECT <cols> FROM
//! <table> [ORDER BY <cols>]` (every row) and `SELECT <n>`. Everything else is answered with a bare DONE.

use crate::Value;
use crate::lexer::{Tok, tokenize};
use crate::state::{Shared, State};
use crate::tokens::{self, ResultColumn, command, done_status};
use crate::types::{ColumnDef, SqlType, Wire};
use std::collections::BTreeSet;

/// Per-connection state that batches change.
#[derive(Debug, Default)]
pub(crate) struct Session {
    /// Table named by the last `INSERT BULK`, waiting for its BULK LOAD message.
    pub(crate) bulk_target: Option<String>,
}

/// A statement failure: SQL Server error number and message.
#[derive(Debug)]
struct SqlError(u32, String);

type Reply = Result<Vec<u8>, SqlError>;

/// Skips the ALL_HEADERS block of a SQL batch payload and decodes the UTF-16LE text.
pub(crate) fn batch_text(payload: &[u8]) -> String {
    let headers = payload
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .unwrap_or(0);
    // Pre-7.2 clients send no ALL_HEADERS; then the "length" is text, not <= the payload.
    let start = if headers >= 4 && headers <= payload.len() {
        headers
    } else {
        0
    };
    crate::reader::utf16_to_string(&payload[start..])
}

/// Records `text`, applies an armed batch fault, runs the statement and returns the reply
/// token stream.
pub(crate) fn execute(shared: &Shared, session: &mut Session, text: &str) -> Vec<u8> {
    let mut state = shared.lock();
    state.batches.push(text.to_string());
    let lowered = text.to_lowercase();
    if let Some(fault) = state
        .batch_fault
        .take_if(|fault| lowered.contains(&fault.pattern))
    {
        let mut out = Vec::new();
        tokens::failed_statement(&mut out, fault.number, &fault.message);
        return out;
    }

    let mut toks = tokenize(text);
    while toks.last().is_some_and(|t| t.is_sym(";")) {
        toks.pop();
    }
    let result = if let Some(pos) = find_pair(&toks, "create", "table") {
        create_table(&mut state, &toks, pos)
    } else if starts_with(&toks, &["insert", "bulk"]) {
        insert_bulk(&state, session, &toks)
    } else if starts_with(&toks, &["select", "top"]) && matches!(toks.get(2), Some(Tok::Num(0))) {
        select_rows(&state, &toks, true)
    } else if starts_with(&toks, &["select", "distinct"]) {
        select_distinct_quotient(&state, &toks)
    } else if starts_with(&toks, &["select", "min"]) && toks.iter().any(|t| t.is("row_number")) {
        select_islands(&state, &toks)
    } else if let [select, Tok::Num(n)] = toks.as_slice()
        && select.is("select")
    {
        Ok(select_constant(*n))
    } else if starts_with(&toks, &["select"]) && toks.iter().any(|t| t.is("from")) {
        select_rows(&state, &toks, false)
    } else {
        Ok(done_only())
    };
    result.unwrap_or_else(|SqlError(number, message)| {
        let mut out = Vec::new();
        tokens::failed_statement(&mut out, number, &message);
        out
    })
}

fn done_only() -> Vec<u8> {
    let mut out = Vec::new();
    tokens::done(&mut out, done_status::FINAL, command::NONE, 0);
    out
}

fn starts_with(toks: &[Tok], words: &[&str]) -> bool {
    toks.len() >= words.len() && toks.iter().zip(words).all(|(t, w)| t.is(w))
}

fn find_pair(toks: &[Tok], first: &str, second: &str) -> Option<usize> {
    toks.windows(2).position(|w| w[0].is(first) && w[1].is(second))
}

fn invalid_object(name: &str) -> SqlError {
    SqlError(208, format!("Invalid object name '{name}'."))
}

fn syntax_error(near: Option<&Tok>) -> SqlError {
    let near = match near {
        Some(Tok::Word(w)) => w.clone(),
        Some(Tok::Num(n)) => n.to_string(),
        Some(Tok::Str(s)) => s.clone(),
        Some(Tok::Sym(s)) => s.clone(),
        None => "end of batch".to_string(),
    };
    SqlError(102, format!("Incorrect syntax near '{near}'."))
}

/// Splits the tokens after an opening parenthesis at top-level commas, up to the matching
/// closing parenthesis.
fn paren_items(toks: &[Tok]) -> Option<Vec<&[Tok]>> {
    let mut depth = 0usize;
    let mut start = 0;
    let mut items = Vec::new();
    for (i, tok) in toks.iter().enumerate() {
        if tok.is_sym("(") {
            depth += 1;
        } else if tok.is_sym(")") {
            if depth == 0 {
                items.push(&toks[start..i]);
                return Some(items);
            }
            depth -= 1;
        } else if tok.is_sym(",") && depth == 0 {
            items.push(&toks[start..i]);
            start = i + 1;
        }
    }
    None
}

/// `[IF OBJECT_ID(...) IS NULL] CREATE TABLE name (col type [NOT NULL] [PRIMARY KEY], ...)`.
fn create_table(state: &mut State, toks: &[Tok], pos: usize) -> Reply {
    let Some(Tok::Word(name)) = toks.get(pos + 2) else {
        return Err(syntax_error(toks.get(pos + 2)));
    };
    if !toks.get(pos + 3).is_some_and(|t| t.is_sym("(")) {
        return Err(syntax_error(toks.get(pos + 3)));
    }
    let items = paren_items(&toks[pos + 4..]).ok_or_else(|| syntax_error(None))?;
    let mut columns = Vec::new();
    let mut primary_key: Vec<String> = Vec::new();
    for item in items {
        let Some(Tok::Word(column)) = item.first() else {
            return Err(syntax_error(item.first()));
        };
        if ["constraint", "primary", "unique", "foreign", "check", "index"]
            .iter()
            .any(|k| column.eq_ignore_ascii_case(k))
        {
            // `PRIMARY KEY (a, b)`: the key's columns, enforced on bulk loads.
            if let Some(at) = find_pair(item, "primary", "key") {
                primary_key = item[at + 2..]
                    .iter()
                    .filter_map(|t| match t {
                        Tok::Word(w) => Some(w.clone()),
                        _ => None,
                    })
                    .collect();
            }
            continue;
        }
        if find_pair(item, "primary", "key").is_some() {
            primary_key = vec![column.clone()];
        }
        let Some(Tok::Word(type_name)) = item.get(1) else {
            return Err(syntax_error(item.get(1)));
        };
        let mut type_text = type_name.clone();
        if item.get(2).is_some_and(|t| t.is_sym("(")) {
            for tok in &item[2..] {
                match tok {
                    Tok::Word(w) => type_text.push_str(w),
                    Tok::Num(n) => type_text.push_str(&n.to_string()),
                    Tok::Sym(s) => type_text.push_str(s),
                    Tok::Str(_) => {}
                }
                if tok.is_sym(")") {
                    break;
                }
            }
        }
        let ty = SqlType::parse(&type_text).ok_or_else(|| {
            SqlError(
                2715,
                format!(
                    "Column, parameter, or variable #{}: Cannot find data type {type_name}.",
                    columns.len() + 1
                ),
            )
        })?;
        let not_null =
            find_pair(item, "not", "null").is_some() || find_pair(item, "primary", "key").is_some();
        columns.push(ColumnDef {
            name: column.clone(),
            ty,
            nullable: !not_null,
        });
    }
    if columns.is_empty() {
        return Err(syntax_error(Some(&Tok::Sym(")".into()))));
    }
    if state.table(name).is_some() {
        let conditional = toks[..pos].iter().any(|t| t.is("object_id"));
        if !conditional {
            return Err(SqlError(
                2714,
                format!("There is already an object named '{name}' in the database."),
            ));
        }
    } else {
        let primary_key = primary_key
            .iter()
            .filter_map(|k| {
                columns
                    .iter()
                    .position(|c: &ColumnDef| c.name.eq_ignore_ascii_case(k))
            })
            .collect();
        state.tables.push(crate::state::Table {
            key: crate::state::table_key(name),
            columns,
            primary_key,
            rows: Vec::new(),
        });
    }
    Ok(done_only())
}

/// `SELECT * | col, ... FROM table [ORDER BY col, ...]`: every stored row (the copy of a
/// table to the lake), sorted by the ORDER BY columns, ascending. With `top_zero`, `SELECT
/// TOP 0 ...` (the column-metadata probe before a bulk insert): the columns, no rows.
fn select_rows(state: &State, toks: &[Tok], top_zero: bool) -> Reply {
    let from = toks
        .iter()
        .position(|t| t.is("from"))
        .ok_or_else(|| syntax_error(None))?;
    let Some(Tok::Word(name)) = toks.get(from + 1) else {
        return Err(syntax_error(toks.get(from + 1)));
    };
    let table = state.table(name).ok_or_else(|| invalid_object(name))?;
    let index = |wanted: &str| {
        table
            .columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| SqlError(207, format!("Invalid column name '{wanted}'.")))
    };
    let mut selected = Vec::new();
    let first = if top_zero { 3 } else { 1 };
    for tok in &toks[first..from] {
        match tok {
            Tok::Sym(s) if s == "*" => selected.extend(0..table.columns.len()),
            Tok::Sym(s) if s == "," => {}
            Tok::Word(w) => selected.push(index(w)?),
            other => return Err(syntax_error(Some(other))),
        }
    }
    let mut order = Vec::new();
    match toks.get(from + 2) {
        None => {}
        Some(t) if t.is("order") && toks.get(from + 3).is_some_and(|t| t.is("by")) => {
            for tok in &toks[from + 4..] {
                match tok {
                    Tok::Sym(s) if s == "," => {}
                    Tok::Word(w) if w.eq_ignore_ascii_case("asc") => {}
                    Tok::Word(w) => order.push(index(w)?),
                    other => return Err(syntax_error(Some(other))),
                }
            }
        }
        other => return Err(syntax_error(other)),
    }
    let mut rows: Vec<&Vec<Value>> = if top_zero {
        Vec::new()
    } else {
        table.rows.iter().collect()
    };
    rows.sort_by(|a, b| {
        order
            .iter()
            .map(|&i| a[i].partial_cmp(&b[i]).unwrap_or(std::cmp::Ordering::Equal))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let columns: Vec<ResultColumn> = selected
        .iter()
        .map(|&i| ResultColumn {
            name: table.columns[i].name.clone(),
            wire: table.columns[i].wire(),
            nullable: table.columns[i].nullable,
        })
        .collect();
    let mut out = Vec::new();
    tokens::col_metadata(&mut out, &columns);
    for row in &rows {
        let values: Vec<Value> = selected.iter().map(|&i| row[i].clone()).collect();
        tokens::row(&mut out, &columns, &values);
    }
    tokens::done(&mut out, done_status::COUNT, command::SELECT, rows.len() as u64);
    Ok(out)
}

/// `INSERT BULK table (...)`: the next BULK LOAD message on this connection goes to `table`.
fn insert_bulk(state: &State, session: &mut Session, toks: &[Tok]) -> Reply {
    let Some(Tok::Word(name)) = toks.get(2) else {
        return Err(syntax_error(toks.get(2)));
    };
    if state.table(name).is_none() {
        return Err(invalid_object(name));
    }
    session.bulk_target = Some(name.clone());
    Ok(done_only())
}

/// `SELECT <n>`: one unnamed `int` row (health checks).
fn select_constant(n: i64) -> Vec<u8> {
    let wire = if i32::try_from(n).is_ok() {
        Wire::FixedInt(4)
    } else {
        Wire::FixedInt(8)
    };
    let columns = [ResultColumn {
        name: String::new(),
        wire,
        nullable: false,
    }];
    let mut out = Vec::new();
    tokens::col_metadata(&mut out, &columns);
    tokens::row(&mut out, &columns, &[Value::Int(n)]);
    tokens::done(&mut out, done_status::COUNT, command::SELECT, 1);
    out
}

/// A cursor over tokens for the fixed-shape SELECT.
struct Cursor<'a> {
    toks: &'a [Tok],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&'a Tok> {
        self.toks.get(self.at)
    }

    fn keyword(&mut self, word: &str) -> bool {
        let hit = self.peek().is_some_and(|t| t.is(word));
        self.at += usize::from(hit);
        hit
    }

    fn expect(&mut self, word: &str) -> Result<(), SqlError> {
        if self.keyword(word) {
            Ok(())
        } else {
            Err(syntax_error(self.peek()))
        }
    }

    fn word(&mut self) -> Result<&'a str, SqlError> {
        match self.peek() {
            Some(Tok::Word(w)) => {
                self.at += 1;
                Ok(w)
            }
            other => Err(syntax_error(other)),
        }
    }

    fn sym(&mut self) -> Result<&'a str, SqlError> {
        match self.peek() {
            Some(Tok::Sym(s)) => {
                self.at += 1;
                Ok(s)
            }
            other => Err(syntax_error(other)),
        }
    }

    /// An optional `WHERE col op n [AND ...]`, as (column, operator, integer) triples.
    fn where_conditions(&mut self) -> Result<Vec<(&'a str, &'a str, i64)>, SqlError> {
        let mut conditions = Vec::new();
        if self.keyword("where") {
            loop {
                let left = self.word()?;
                let op = self.sym()?;
                let right = self.number()?;
                conditions.push((left, op, right));
                if !self.keyword("and") {
                    break;
                }
            }
        }
        Ok(conditions)
    }

    fn number(&mut self) -> Result<i64, SqlError> {
        let negative = self.peek().is_some_and(|t| t.is_sym("-"));
        self.at += usize::from(negative);
        match self.peek() {
            Some(Tok::Num(n)) => {
                self.at += 1;
                Ok(if negative { -n } else { *n })
            }
            other => Err(syntax_error(other)),
        }
    }
}

/// `SELECT DISTINCT col / n [AS] alias FROM table [WHERE col op n [AND ...]] [ORDER BY ...]`
/// over the stored rows, distinct quotients in ascending order.
fn select_distinct_quotient(state: &State, toks: &[Tok]) -> Reply {
    let mut cur = Cursor { toks, at: 2 };
    let column = cur.word()?;
    if cur.sym()? != "/" {
        return Err(syntax_error(toks.get(cur.at - 1)));
    }
    let divisor = cur.number()?;
    cur.keyword("as");
    let alias = cur.word()?;
    cur.expect("from")?;
    let name = cur.word()?;
    let conditions = cur.where_conditions()?;
    if cur.peek().is_some() && !cur.keyword("order") {
        return Err(syntax_error(cur.peek()));
    }

    let table = state.table(name).ok_or_else(|| invalid_object(name))?;
    let index = |wanted: &str| {
        table
            .columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| SqlError(207, format!("Invalid column name '{wanted}'.")))
    };
    let selected = index(column)?;
    let filters = conditions
        .iter()
        .map(|&(left, op, right)| {
            if !matches!(op, "=" | "<" | "<=" | ">" | ">=" | "<>" | "!=") {
                return Err(syntax_error(Some(&Tok::Sym(op.to_string()))));
            }
            Ok((index(left)?, op, right))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if divisor == 0 {
        return Err(SqlError(8134, "Divide by zero error encountered.".into()));
    }

    let keep = |row: &[Value]| row_matches(&filters, row);
    let quotients: BTreeSet<i64> = table
        .rows
        .iter()
        .filter(|row| keep(row))
        .filter_map(|row| match row[selected] {
            Value::Int(v) => Some(v / divisor),
            _ => None,
        })
        .collect();

    let wide = table.columns[selected].ty == SqlType::BigInt;
    let columns = [ResultColumn {
        name: alias.to_string(),
        wire: Wire::IntN(if wide { 8 } else { 4 }),
        nullable: true,
    }];
    let mut out = Vec::new();
    tokens::col_metadata(&mut out, &columns);
    for q in &quotients {
        tokens::row(&mut out, &columns, &[Value::Int(*q)]);
    }
    tokens::done(
        &mut out,
        done_status::COUNT,
        command::SELECT,
        quotients.len() as u64,
    );
    Ok(out)
}

/// The islands query: finds the innermost `SELECT DISTINCT col FROM table WHERE ...` and
/// answers the runs of consecutive distinct values of `col` as rows `(lo, hi)`, ascending.
fn select_islands(state: &State, toks: &[Tok]) -> Reply {
    let at = toks
        .iter()
        .position(|t| t.is("distinct"))
        .ok_or_else(|| syntax_error(None))?;
    let mut cur = Cursor { toks, at: at + 1 };
    let column = cur.word()?;
    cur.expect("from")?;
    let name = cur.word()?;
    let conditions = cur.where_conditions()?;
    let table = state.table(name).ok_or_else(|| invalid_object(name))?;
    let index = |wanted: &str| {
        table
            .columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| SqlError(207, format!("Invalid column name '{wanted}'.")))
    };
    let selected = index(column)?;
    let filters = conditions
        .iter()
        .map(|&(left, op, right)| Ok((index(left)?, op, right)))
        .collect::<Result<Vec<_>, SqlError>>()?;
    let keep = |row: &[Value]| row_matches(&filters, row);
    let values: BTreeSet<i64> = table
        .rows
        .iter()
        .filter(|row| keep(row))
        .filter_map(|row| match row[selected] {
            Value::Int(v) => Some(v),
            _ => None,
        })
        .collect();
    let mut islands: Vec<(i64, i64)> = Vec::new();
    for v in values {
        match islands.last_mut() {
            Some((_, hi)) if *hi + 1 == v => *hi = v,
            _ => islands.push((v, v)),
        }
    }
    let wide = table.columns[selected].ty == SqlType::BigInt;
    let columns = ["lo", "hi"].map(|n| ResultColumn {
        name: n.to_string(),
        wire: Wire::IntN(if wide { 8 } else { 4 }),
        nullable: true,
    });
    let mut out = Vec::new();
    tokens::col_metadata(&mut out, &columns);
    for (lo, hi) in &islands {
        tokens::row(&mut out, &columns, &[Value::Int(*lo), Value::Int(*hi)]);
    }
    tokens::done(
        &mut out,
        done_status::COUNT,
        command::SELECT,
        islands.len() as u64,
    );
    Ok(out)
}

/// Whether a row satisfies every `column op integer` condition of a WHERE clause.
fn row_matches(filters: &[(usize, &str, i64)], row: &[Value]) -> bool {
    filters.iter().all(|&(i, op, right)| match row[i] {
        Value::Int(v) => match op {
            "=" => v == right,
            "<" => v < right,
            "<=" => v <= right,
            ">" => v > right,
            ">=" => v >= right,
            _ => v != right,
        },
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const ORDERS: &str = "IF OBJECT_ID(N'dbo.orders', N'U') IS NULL CREATE TABLE dbo.orders (orderId int NOT NULL PRIMARY KEY, userId int NOT NULL, orderDate datetime2 NOT NULL, orderValue float NOT NULL)";
    const ITEMS: &str = "IF OBJECT_ID(N'dbo.items', N'U') IS NULL CREATE TABLE dbo.items (orderId int NOT NULL, rowId int NOT NULL, productId int NOT NULL, PRIMARY KEY (orderId, rowId))";

    #[test]
    fn creates_tables_once() {
        let shared = Shared::new("u", "p");
        let mut session = Session::default();
        execute(&shared, &mut session, ORDERS);
        execute(&shared, &mut session, ITEMS);
        execute(&shared, &mut session, ORDERS);
        let state = shared.lock();
        assert_eq!(state.tables.len(), 2);
        let orders = state.table("orders").expect("created");
        assert_eq!(orders.columns.len(), 4);
        assert_eq!(orders.columns[2].ty, SqlType::DateTime2(7));
        assert!(!orders.columns[3].nullable);
        assert_eq!(state.table("dbo.items").expect("created").columns.len(), 3);
    }

    #[test]
    fn plain_create_of_existing_table_fails() {
        let shared = Shared::new("u", "p");
        let mut session = Session::default();
        execute(&shared, &mut session, "CREATE TABLE t (a int)");
        let reply = execute(&shared, &mut session, "CREATE TABLE t (a int)");
        assert_eq!(reply[0], 0xAA);
    }

    #[test]
    fn batch_text_skips_all_headers() {
        let mut payload = 22u32.to_le_bytes().to_vec();
        payload.extend_from_slice(&[0; 18]);
        crate::reader::put_utf16(&mut payload, "SELECT 1");
        assert_eq!(batch_text(&payload), "SELECT 1");
    }
}
