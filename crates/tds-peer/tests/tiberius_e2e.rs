//! The real tiberius 0.13 client against the peer, over loopback TCP without TLS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, NaiveDateTime};
use playground_tds_peer::{TdsPeer, Value};
use tiberius::{AuthMethod, Client, Config, EncryptionLevel, IntoRow};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

const USER: &str = "playground";
const PASSWORD: &str = "S3cret!pässword";

const CREATE_ORDERS: &str = "IF OBJECT_ID(N'dbo.orders', N'U') IS NULL CREATE TABLE dbo.orders (orderId int NOT NULL PRIMARY KEY, userId int NOT NULL, orderDate datetime2 NOT NULL, orderValue float NOT NULL)";
const CREATE_ITEMS: &str = "IF OBJECT_ID(N'dbo.items', N'U') IS NULL CREATE TABLE dbo.items (orderId int NOT NULL, rowId int NOT NULL, productId int NOT NULL, PRIMARY KEY (orderId, rowId))";

type Conn = Client<Compat<TcpStream>>;

async fn connect_as(peer: &TdsPeer, user: &str, password: &str) -> tiberius::Result<Conn> {
    let mut config = Config::new();
    config.host("127.0.0.1");
    config.port(peer.addr().port());
    config.database("playground");
    config.authentication(AuthMethod::sql_server(user, password));
    config.encryption(EncryptionLevel::NotSupported);
    config.trust_cert();
    let tcp = TcpStream::connect(peer.addr()).await?;
    tcp.set_nodelay(true)?;
    Client::connect(config, tcp.compat_write()).await
}

async fn connect(peer: &TdsPeer) -> Conn {
    connect_as(peer, USER, PASSWORD).await.expect("login")
}

async fn create_tables(client: &mut Conn) {
    for ddl in [CREATE_ORDERS, CREATE_ITEMS] {
        client
            .simple_query(ddl)
            .await
            .expect("ddl sent")
            .into_results()
            .await
            .expect("ddl ok");
    }
}

#[derive(Debug, Clone, Copy)]
struct Order {
    id: i32,
    user: i32,
    date: NaiveDateTime,
    value: f64,
}

fn orders(range: std::ops::Range<i32>) -> Vec<Order> {
    let base = NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    range
        .map(|id| Order {
            id,
            user: id % 97 + 1,
            date: base
                + chrono::Duration::seconds(i64::from(id) * 3_607)
                + chrono::Duration::milliseconds(i64::from(id % 1000)),
            value: f64::from(id) * 1.37 + 0.01,
        })
        .collect()
}

fn expected(orders: &[Order]) -> Vec<Vec<Value>> {
    orders
        .iter()
        .map(|o| {
            vec![
                Value::Int(i64::from(o.id)),
                Value::Int(i64::from(o.user)),
                Value::DateTime(o.date),
                Value::Float(o.value),
            ]
        })
        .collect()
}

async fn bulk_orders(client: &mut Conn, orders: &[Order]) -> tiberius::Result<u64> {
    let mut req = client.bulk_insert("dbo.orders").await?;
    for o in orders {
        req.send((o.id, o.user, o.date, o.value).into_row()).await?;
    }
    Ok(req.finalize().await?.total())
}

async fn chunks(client: &mut Conn, divisor: i32, from: i32, to: i32) -> Vec<i32> {
    let sql = format!(
        "SELECT DISTINCT orderId / {divisor} AS chunk FROM dbo.orders WHERE orderId >= {from} AND orderId < {to}"
    );
    let rows = client
        .simple_query(sql)
        .await
        .expect("query sent")
        .into_first_result()
        .await
        .expect("query ok");
    rows.iter()
        .map(|row| row.get::<i32, _>("chunk").expect("non-null chunk"))
        .collect()
}

#[tokio::test]
async fn login_succeeds_and_answers_select_1() {
    let peer = TdsPeer::start(USER, PASSWORD).await.unwrap();
    let mut client = connect(&peer).await;
    let row = client
        .simple_query("SELECT 1")
        .await
        .unwrap()
        .into_row()
        .await
        .unwrap()
        .expect("one row");
    assert_eq!(row.get::<i32, _>(0), Some(1));
    assert_eq!(peer.connections(), 1);
    assert_eq!(peer.logins(), 1);
    assert_eq!(peer.batches(), vec!["SELECT 1".to_string()]);
    let debug = format!("{peer:?}");
    assert!(!debug.contains(PASSWORD), "{debug}");
}

#[tokio::test]
async fn wrong_password_fails_with_18456() {
    let peer = TdsPeer::start(USER, PASSWORD).await.unwrap();
    let err = connect_as(&peer, USER, "wrong").await.expect_err("refused");
    assert_eq!(err.code(), Some(18456), "{err:?}");
    assert!(
        err.to_string().contains("Login failed for user 'playground'"),
        "{err}"
    );
    let err = connect_as(&peer, "someone", PASSWORD).await.expect_err("refused");
    assert_eq!(err.code(), Some(18456), "{err:?}");
    assert_eq!(peer.connections(), 2);
    assert_eq!(peer.logins(), 0);
}

#[tokio::test]
async fn creates_tables_idempotently() {
    let peer = TdsPeer::start(USER, PASSWORD).await.unwrap();
    let mut client = connect(&peer).await;
    create_tables(&mut client).await;
    create_tables(&mut client).await;
    assert_eq!(peer.tables(), vec!["orders".to_string(), "items".to_string()]);
    assert_eq!(peer.batches().len(), 4);
}

#[tokio::test]
async fn bulk_inserts_orders_and_answers_chunk_query() {
    let peer = TdsPeer::start(USER, PASSWORD).await.unwrap();
    let mut client = connect(&peer).await;
    create_tables(&mut client).await;

    let all = orders(0..10_000);
    for part in all.chunks(2_500) {
        assert_eq!(bulk_orders(&mut client, part).await.unwrap(), 2_500);
    }
    let stored = peer.rows("dbo.ORDERS");
    assert_eq!(stored.len(), 10_000);
    assert_eq!(stored, expected(&all));
    assert_eq!(peer.rows("orders"), stored);

    let batches = peer.batches();
    assert!(
        batches.contains(&"SELECT TOP 0 * FROM dbo.orders".to_string()),
        "{batches:?}"
    );
    assert!(
        batches.contains(
            &"INSERT BULK dbo.orders ([orderId] int, [userId] int, [orderDate] datetime2(7), [orderValue] float)"
                .to_string()
        ),
        "{batches:?}"
    );

    assert_eq!(
        chunks(&mut client, 1000, 0, 10_000).await,
        (0..10).collect::<Vec<_>>()
    );
    assert_eq!(
        chunks(&mut client, 1000, 2_500, 7_001).await,
        vec![2, 3, 4, 5, 6, 7]
    );
    assert_eq!(chunks(&mut client, 1000, 20_000, 30_000).await, Vec::<i32>::new());
}

#[tokio::test]
async fn bulk_inserts_items() {
    let peer = TdsPeer::start(USER, PASSWORD).await.unwrap();
    let mut client = connect(&peer).await;
    create_tables(&mut client).await;
    let mut req = client.bulk_insert("items").await.unwrap();
    for order in 0..300i32 {
        for row in 0..3i32 {
            req.send((order, row, order * 7 + row).into_row()).await.unwrap();
        }
    }
    assert_eq!(req.finalize().await.unwrap().total(), 900);
    let rows = peer.rows("items");
    assert_eq!(rows.len(), 900);
    assert_eq!(rows[4], vec![Value::Int(1), Value::Int(1), Value::Int(8)]);
    assert!(peer.rows("orders").is_empty());
}

#[tokio::test]
async fn dropped_bulk_fails_on_the_client_and_keeps_no_rows() {
    let peer = TdsPeer::start(USER, PASSWORD).await.unwrap();
    let mut client = connect(&peer).await;
    create_tables(&mut client).await;
    let first = orders(0..100);
    bulk_orders(&mut client, &first).await.unwrap();

    peer.drop_next_bulk_after(500);
    let err = bulk_orders(&mut client, &orders(100..2_100))
        .await
        .expect_err("the connection was closed mid-bulk");
    assert_eq!(err.code(), None, "a transport error, not a server error: {err:?}");
    assert_eq!(peer.rows("orders"), expected(&first));

    // One-shot: a fresh connection loads normally.
    let mut client = connect(&peer).await;
    let second = orders(100..2_100);
    assert_eq!(bulk_orders(&mut client, &second).await.unwrap(), 2_000);
    let mut all = first;
    all.extend(second);
    assert_eq!(peer.rows("orders"), expected(&all));
}

#[tokio::test]
async fn failed_batch_surfaces_the_error_number() {
    let peer = TdsPeer::start(USER, PASSWORD).await.unwrap();
    let mut client = connect(&peer).await;
    peer.fail_next_batch("CREATE TABLE", 40613, "Database unavailable");
    // tiberius reports a leading ERROR token from `simple_query` itself.
    let outcome = match client.simple_query(CREATE_ORDERS).await {
        Ok(stream) => stream.into_results().await.map(|_| ()),
        Err(err) => Err(err),
    };
    let err = outcome.expect_err("injected failure");
    assert_eq!(err.code(), Some(40613), "{err:?}");
    assert!(err.to_string().contains("Database unavailable"), "{err}");
    assert!(peer.tables().is_empty());

    // One-shot: the retry on the same connection succeeds.
    create_tables(&mut client).await;
    assert_eq!(peer.tables().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_connections_each_bulk_load() {
    let peer = TdsPeer::start(USER, PASSWORD).await.unwrap();
    create_tables(&mut connect(&peer).await).await;
    let mut tasks = Vec::new();
    for worker in 0..4i32 {
        let mut client = connect(&peer).await;
        tasks.push(tokio::spawn(async move {
            let part = orders(worker * 1_000..(worker + 1) * 1_000);
            bulk_orders(&mut client, &part).await.unwrap()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 1_000);
    }
    let mut ids: Vec<i64> = peer
        .rows("orders")
        .iter()
        .map(|row| match row[0] {
            Value::Int(id) => id,
            ref other => panic!("{other:?}"),
        })
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (0..4_000).collect::<Vec<_>>());
    assert_eq!(peer.logins(), 5);
}

#[tokio::test]
async fn unknown_table_is_an_invalid_object() {
    let peer = TdsPeer::start(USER, PASSWORD).await.unwrap();
    let mut client = connect(&peer).await;
    let err = client
        .bulk_insert("dbo.nowhere")
        .await
        .expect_err("no such table");
    assert_eq!(err.code(), Some(208), "{err:?}");
}

#[tokio::test]
async fn nullable_and_text_columns_round_trip() {
    let peer = TdsPeer::start(USER, PASSWORD).await.unwrap();
    let mut client = connect(&peer).await;
    // `execute` goes through sp_executesql (an RPC request), not a plain batch.
    client
        .execute(
            "CREATE TABLE dbo.notes (id bigint NOT NULL, note nvarchar(50) NULL, body nvarchar(max) NULL, score float NULL, at datetime2(3) NULL)",
            &[],
        )
        .await
        .unwrap();
    let at = NaiveDate::from_ymd_opt(2023, 12, 31)
        .unwrap()
        .and_hms_milli_opt(23, 59, 59, 999)
        .unwrap();
    let long = "ü".repeat(6_000);
    let mut req = client.bulk_insert("notes").await.unwrap();
    req.send((1i64, Some("héllo"), Some(long.as_str()), Some(2.5f64), Some(at)).into_row())
        .await
        .unwrap();
    req.send(
        (
            2i64,
            None::<&str>,
            None::<&str>,
            None::<f64>,
            None::<NaiveDateTime>,
        )
            .into_row(),
    )
    .await
    .unwrap();
    assert_eq!(req.finalize().await.unwrap().total(), 2);
    assert_eq!(
        peer.rows("NOTES"),
        vec![
            vec![
                Value::Int(1),
                Value::Text("héllo".into()),
                Value::Text(long),
                Value::Float(2.5),
                Value::DateTime(at),
            ],
            vec![Value::Int(2), Value::Null, Value::Null, Value::Null, Value::Null],
        ]
    );
    // tiberius prints the TYPE_INFO byte length, so nvarchar(50) comes back as
    // nvarchar(100) (it does the same against a real SQL Server).
    let batches = peer.batches();
    assert!(
        batches.contains(
            &"INSERT BULK notes ([id] bigint, [note] nvarchar(100), [body] nvarchar(max), [score] float, [at] datetime2(3))"
                .to_string()
        ),
        "{batches:?}"
    );
}

/// The copy to the lake reads a whole table: every row, in the ORDER BY's order, each value of
/// its column's type, through tiberius' row stream (many packets).
#[tokio::test]
async fn select_streams_every_row_in_order() {
    use futures::TryStreamExt;
    let peer = TdsPeer::start(USER, PASSWORD).await.unwrap();
    let mut client = connect(&peer).await;
    create_tables(&mut client).await;
    let mut all = orders(0..20_000);
    all.reverse(); // stored newest first: the ORDER BY has to sort
    for part in all.chunks(5_000) {
        bulk_orders(&mut client, part).await.unwrap();
    }
    let rows: Vec<tiberius::Row> = client
        .simple_query("SELECT orderId, userId, orderDate, orderValue FROM dbo.orders ORDER BY orderId")
        .await
        .unwrap()
        .into_row_stream()
        .try_collect()
        .await
        .unwrap();
    let got: Vec<(i32, i32, NaiveDateTime, f64)> = rows
        .iter()
        .map(|r| {
            (
                r.get::<i32, _>(0).unwrap(),
                r.get::<i32, _>(1).unwrap(),
                r.get::<NaiveDateTime, _>(2).unwrap(),
                r.get::<f64, _>(3).unwrap(),
            )
        })
        .collect();
    all.reverse();
    let want: Vec<(i32, i32, NaiveDateTime, f64)> =
        all.iter().map(|o| (o.id, o.user, o.date, o.value)).collect();
    assert_eq!(got, want);
    // A column that does not exist is SQL Server's error 207, naming it.
    let err = match client.simple_query("SELECT orderId, nope FROM dbo.orders").await {
        Err(e) => e,
        Ok(stream) => stream.into_results().await.unwrap_err(),
    };
    assert!(err.to_string().contains("nope"), "{err}");
}
