//! An in-process AMQP 1.0 peer that stands in for Azure Event Hubs in tests.
//!
//! [`AmqpPeer`] listens on `127.0.0.1:<random port>` and speaks just enough of the Event Hubs
//! dialect for the real producer (`azure_messaging_eventhubs::ProducerClient` over
//! `azure_core_amqp`/`fe2o3-amqp`) to run end to end:
//!
//! * SASL `ANONYMOUS` and a plain-TCP AMQP connection (the client is pointed at it with
//!   `with_custom_endpoint(peer.endpoint())`; the connection string only names the hub and a key);
//! * the `$cbs` node: every `put-token` request is answered `202 Accepted`, and its token type and
//!   audience are recorded ([`AmqpPeer::tokens`]);
//! * the `$management` node: `READ` of `com.microsoft:eventhub` (hub name, creation time,
//!   partition count and ids) and of `com.microsoft:partition` (an always-empty partition);
//! * sender links to `{hub}` and `{hub}/Partitions/{id}`, with a maximum message size of 1 MiB;
//!   each transfer (a single event or a batch envelope of message format `0x80013700`) is decoded,
//!   its events recorded in arrival order ([`AmqpPeer::received`]) and then settled `Accepted`;
//! * fault injection: [`AmqpPeer::drop_connection_after`] cuts a connection abruptly in the middle
//!   of a send, and [`AmqpPeer::delay_dispositions`] makes a slow hub.
//!
//! # What the peer does NOT check
//!
//! * **TLS**: the peer speaks plain TCP only; the `amqps` scheme the client derives from the
//!   connection string is never used, the custom endpoint is.
//! * **Tokens**: any token is accepted. Signature, audience, expiry and claims are not validated,
//!   and `security_token` on management requests is ignored.
//! * **Quotas and throttling**: no size, rate, connection or link limits other than the 1 MiB
//!   maximum message size advertised on links; the peer never answers `server-busy`.
//! * **Partitioning**: partition keys are recorded as sent; events sent to the hub (not to a
//!   partition) are not hashed to a partition (`partition` is `None` for them). A batch sent to
//!   a partition whose events carry `x-opt-partition-key` is rejected (`amqp:not-allowed`),
//!   never recorded: the service decides a keyed event's partition by its own hash of the key,
//!   so a key sent to a partition chosen by another hash disagrees with it. Event Hubs'
//!   maintainers call publishing with both a service limitation, and the SDKs refuse it
//!   (azure_messaging_eventhubs' buffered producer sets both only with the service's hash).
//! * **Flow control**: credits and windows are fe2o3-amqp defaults, not tuned like the service.
//! * **Persistence**: events live in memory only, and nothing expires.
//!
//! # Consumers
//!
//! Every accepted event is also appended to its partition's log (an event sent to the hub
//! itself goes to the partitions in turn, as the service places events without a key) with a
//! sequence number, an offset and an enqueued time. A receiver link to
//! `{hub}/ConsumerGroups/{group}/Partitions/{id}` (`ConsumerClient::open_receiver_on_partition`)
//! gets the log from the position its selector filter names (earliest, latest, a sequence
//! number, an offset or an enqueued time) and then each new event; `$management` reports each
//! partition's last sequence number. [`AmqpPeer::consumers`] lists the links served. See the
//! `consumer` module for what is not modelled.
//!
//! # Running the same tests against the emulator or a real namespace
//!
//! The services' tests run against this peer by default. Their ignored variants honour the opt-in
//! variables `PLAYGROUND_TEST_EVENTHUB_CONNECTION_STRING` (a real namespace or the emulator
//! connection string) and, for the emulator, `PLAYGROUND_TEST_EVENTHUB_ENDPOINT`
//! (`amqp://localhost:5672`), and are run with `cargo test -- --ignored`.
//!
//! # Runtimes
//!
//! [`AmqpPeer::start`] spawns its tasks on the current tokio runtime, which must outlive the peer.
//! Synchronous tests (for example ones that run service binaries as child processes) use
//! [`AmqpPeer::start_blocking`], which owns a multi-thread runtime for as long as the peer lives.

use std::{
    collections::HashMap,
    fmt, io,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll, Waker},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use fe2o3_amqp::{
    Receiver, Sender,
    acceptor::{
        ConnectionAcceptor, LinkAcceptor, LinkEndpoint, ListenerSessionHandle, SaslAnonymousMechanism,
        SessionAcceptor,
    },
    types::{
        definitions::{self, AmqpError},
        messaging::{
            AmqpValue, ApplicationProperties, Body, Message, MessageId, Properties,
            message::DecodeIntoMessage,
        },
        primitives::{Array, OrderedMap, SimpleValue, Symbol, Timestamp, Value},
    },
};
mod consumer;

pub use consumer::Consumer;
use consumer::{Stored, consumer_path, now_ms, serve_consumer};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::mpsc,
    task::{AbortHandle, JoinSet},
};

/// The maximum message size the peer advertises on every link (1 MiB, like a Standard namespace).
/// The producer refuses to create a batch when the link does not report one.
pub const MAX_MESSAGE_SIZE: u64 = 1024 * 1024;

/// The message format of an Event Hubs batch envelope.
pub const BATCH_MESSAGE_FORMAT: u32 = 0x8001_3700;

/// The `SharedAccessKey` of [`AmqpPeer::connection_string`]; any key would do, nothing checks it.
pub const SHARED_ACCESS_KEY: &str = "cGxheWdyb3VuZC1hbXFwLXBlZXIta2V5LW5vdC1hLXNlY3JldA==";

/// One event accepted by the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The event hub the sender link was attached to.
    pub hub: String,
    /// The partition id when the link addressed `{hub}/Partitions/{id}`, `None` for the hub.
    pub partition: Option<String>,
    /// `properties.message-id`, rendered as a string whatever its AMQP type.
    pub message_id: Option<String>,
    /// The `x-opt-partition-key` message annotation.
    pub partition_key: Option<String>,
    /// The body: the concatenated data sections, or the encoding of an AMQP value body.
    pub body: Vec<u8>,
    /// The peer-wide number (1-based) of the connection the event arrived on.
    pub connection: u64,
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    batches: u64,
    /// Transfers rejected: a partition key sent to a partition.
    rejected: u64,
    tokens: Vec<(String, String)>,
    connections: u64,
    /// Events still to accept before the next transfer kills its connection.
    drop_after: Option<u64>,
    delay: Duration,
    kills: Vec<Arc<KillSwitch>>,
    tasks: Vec<AbortHandle>,
    /// Each partition's events in order, by (hub, partition id).
    logs: HashMap<(String, String), Vec<Stored>>,
    /// The partition the next event sent to the hub itself goes to.
    round_robin: HashMap<String, u32>,
    /// The receiver links served.
    consumers: Vec<Consumer>,
}

struct Shared {
    hubs: HashMap<String, u32>,
    created_at: Timestamp,
    state: Mutex<State>,
    /// Woken when events are appended to any partition's log.
    appended: tokio::sync::Notify,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A stand-in for an Event Hubs namespace; see the crate documentation.
///
/// Dropping the peer closes every connection and stops every task.
pub struct AmqpPeer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
}

impl fmt::Debug for AmqpPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmqpPeer")
            .field("addr", &self.addr)
            .field("hubs", &self.shared.hubs)
            .field("owns_runtime", &self.runtime.is_some())
            .finish_non_exhaustive()
    }
}

impl AmqpPeer {
    /// Binds `127.0.0.1:0` and serves the given hubs (name, partition count; partition ids are
    /// `"0"..` `"n-1"`) on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// When the listener cannot be bound.
    pub async fn start(hubs: &[(&str, u32)]) -> io::Result<AmqpPeer> {
        // The clients a test points at the peer build rustls configurations; with both of
        // rustls' providers compiled in (object_store brings ring into the workspace's test
        // build), rustls picks none by itself and the client panics. Err: one is installed.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let shared = Arc::new(Shared {
            hubs: hubs.iter().map(|(n, p)| ((*n).to_string(), *p)).collect(),
            created_at: Timestamp::from_milliseconds(now_ms),
            state: Mutex::new(State::default()),
            appended: tokio::sync::Notify::new(),
        });
        let accept = tokio::spawn(accept_loop(listener, shared.clone()));
        shared.state().tasks.push(accept.abort_handle());
        Ok(AmqpPeer {
            shared,
            addr,
            runtime: None,
        })
    }

    /// Like [`AmqpPeer::start`], for synchronous callers: builds a multi-thread tokio runtime
    /// that the peer owns and shuts down when dropped.
    ///
    /// Must not be called from within a tokio runtime (use [`AmqpPeer::start`] there).
    ///
    /// # Errors
    ///
    /// When the runtime cannot be built or the listener cannot be bound.
    pub fn start_blocking(hubs: &[(&str, u32)]) -> io::Result<AmqpPeer> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("amqp-peer")
            .enable_all()
            .build()?;
        let mut peer = runtime.block_on(Self::start(hubs))?;
        peer.runtime = Some(runtime);
        Ok(peer)
    }

    /// The address to pass to `with_custom_endpoint`: `amqp://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("amqp://{}", self.addr)
    }

    /// A SAS connection string for `hub`. The client derives the AMQP hostname (`127.0.0.1`,
    /// the port is dropped) and the token audience from it, but must also be given
    /// [`AmqpPeer::endpoint`] as its custom endpoint: on its own it would dial TLS on 5671.
    pub fn connection_string(&self, hub: &str) -> String {
        format!(
            "Endpoint=sb://{};SharedAccessKeyName=peer;SharedAccessKey={SHARED_ACCESS_KEY};EntityPath={hub}",
            self.addr
        )
    }

    /// Every accepted event, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.state().received.clone()
    }

    /// The number of transfers (batches or single events) accepted.
    pub fn batches(&self) -> u64 {
        self.shared.state().batches
    }

    /// The number of transfers rejected because they set both a partition and a partition key.
    pub fn rejected(&self) -> u64 {
        self.shared.state().rejected
    }

    /// `(token type, audience)` of every `put-token` request seen; never the token itself.
    pub fn tokens(&self) -> Vec<(String, String)> {
        self.shared.state().tokens.clone()
    }

    /// The receiver links served so far (hub, consumer group, partition, filter).
    pub fn consumers(&self) -> Vec<Consumer> {
        self.shared.state().consumers.clone()
    }

    /// The number of AMQP connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.state().connections
    }

    /// Once `events` more events have been accepted, the next transfer to arrive is neither
    /// recorded nor settled and its whole connection is cut abruptly (the TCP stream fails).
    /// Happens once; later connections work normally.
    pub fn drop_connection_after(&self, events: u64) {
        self.shared.state().drop_after = Some(events);
    }

    /// Waits `d` before recording and settling each transfer (a slow hub). Zero turns it off.
    pub fn delay_dispositions(&self, d: Duration) {
        self.shared.state().delay = d;
    }
}

impl Drop for AmqpPeer {
    fn drop(&mut self) {
        let (kills, tasks) = {
            let mut state = self.shared.state();
            (std::mem::take(&mut state.kills), std::mem::take(&mut state.tasks))
        };
        for task in tasks {
            task.abort();
        }
        for kill in kills {
            kill.kill();
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                tracing::warn!(%error, "amqp-peer: accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let kill = Arc::new(KillSwitch::new(stream));
        let id = {
            let mut state = shared.state();
            state.connections += 1;
            state.kills.retain(|k| k.is_open());
            state.kills.push(kill.clone());
            state.connections
        };
        let task = tokio::spawn(serve_connection(shared.clone(), id, kill));
        let mut state = shared.state();
        state.tasks.retain(|t| !t.is_finished());
        state.tasks.push(task.abort_handle());
    }
}

/// Routes management replies of one connection to the sender link whose target is the
/// `reply-to` address of the request.
type Routes = Arc<Mutex<HashMap<String, mpsc::UnboundedSender<Message<Body<Value>>>>>>;

struct Conn {
    shared: Arc<Shared>,
    id: u64,
    kill: Arc<KillSwitch>,
    routes: Routes,
}

async fn serve_connection(shared: Arc<Shared>, id: u64, kill: Arc<KillSwitch>) {
    let acceptor = ConnectionAcceptor::builder()
        .container_id("playground-amqp-peer")
        .max_frame_size(65_536u32)
        .sasl_acceptor(SaslAnonymousMechanism::new())
        .build();
    let stream = KillableStream { kill: kill.clone() };
    let mut connection = match acceptor.accept(stream).await {
        Ok(connection) => connection,
        Err(error) => {
            tracing::warn!(%error, connection = id, "amqp-peer: connection open failed");
            return;
        }
    };
    let conn = Arc::new(Conn {
        shared,
        id,
        kill: kill.clone(),
        routes: Arc::default(),
    });
    let session_acceptor = SessionAcceptor::new();
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            incoming = connection.next_incoming_session() => {
                let Some(incoming) = incoming else { break };
                match session_acceptor.accept_incoming_session(incoming, &mut connection).await {
                    Ok(session) => {
                        sessions.spawn(serve_session(conn.clone(), session));
                    }
                    Err(error) => {
                        tracing::warn!(%error, connection = id, "amqp-peer: session begin failed");
                    }
                }
            }
            () = kill.killed() => break,
        }
    }
    if !kill.is_killed() {
        let _ = connection.close().await;
    }
    sessions.abort_all();
}

async fn serve_session(conn: Arc<Conn>, mut session: ListenerSessionHandle) {
    let link_acceptor = LinkAcceptor::builder().max_message_size(MAX_MESSAGE_SIZE).build();
    let mut links = JoinSet::new();
    loop {
        match link_acceptor.accept(&mut session).await {
            Ok(LinkEndpoint::Receiver(receiver)) => {
                links.spawn(serve_incoming_link(conn.clone(), receiver));
            }
            Ok(LinkEndpoint::Sender(sender)) => {
                let address = sender
                    .source()
                    .as_ref()
                    .and_then(|s| s.address.clone())
                    .unwrap_or_default();
                let known = |hub: &str, id: &str| {
                    conn.shared
                        .hubs
                        .get(hub)
                        .is_some_and(|count| id.parse::<u32>().is_ok_and(|i| i < *count))
                };
                match consumer_path(entity_path(&address)) {
                    Some((hub, group, id)) if known(&hub, &id) => {
                        links.spawn(serve_consumer(conn.clone(), sender, hub, group, id));
                    }
                    Some(_) => {
                        let error = definitions::Error::new(
                            AmqpError::NotFound,
                            format!("amqp-peer: no partition at '{address}'"),
                            None,
                        );
                        links.spawn(async move {
                            let _ = sender.close_with_error(error).await;
                        });
                    }
                    None => {
                        links.spawn(serve_reply_link(conn.clone(), sender));
                    }
                }
            }
            Err(error) => {
                tracing::debug!(%error, connection = conn.id, "amqp-peer: session done");
                break;
            }
        }
    }
    // The links of an ended session are gone; let the link tasks notice and stop.
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while links.join_next().await.is_some() {}
    })
    .await;
    links.abort_all();
    let _ = session.end().await;
}

/// A link from the client's sender: `$cbs`, `$management` or a hub/partition.
async fn serve_incoming_link(conn: Arc<Conn>, receiver: Receiver) {
    let address = receiver
        .target()
        .as_ref()
        .and_then(|t| t.address.clone())
        .unwrap_or_default();
    let path = entity_path(&address);
    match path {
        "$cbs" | "$management" => serve_requests(conn, receiver, path == "$cbs").await,
        _ => {
            let mut parts = path.splitn(3, '/');
            let hub = parts.next().unwrap_or_default().to_string();
            let partition = match (parts.next(), parts.next()) {
                (None, _) => Ok(None),
                (Some(p), Some(id)) if p.eq_ignore_ascii_case("Partitions") => Ok(Some(id.to_string())),
                _ => Err(()),
            };
            let known = match (&partition, conn.shared.hubs.get(&hub)) {
                (Ok(None), Some(_)) => true,
                (Ok(Some(id)), Some(count)) => id.parse::<u32>().is_ok_and(|i| i < *count),
                _ => false,
            };
            match partition {
                Ok(partition) if known => serve_events(conn, receiver, hub, partition).await,
                _ => {
                    let error = definitions::Error::new(
                        AmqpError::NotFound,
                        format!("amqp-peer: no entity at '{address}'"),
                        None,
                    );
                    let _ = receiver.close_with_error(error).await;
                }
            }
        }
    }
}

/// The path of a link address such as `amqps://host/hub/Partitions/1` (`hub/Partitions/1`).
fn entity_path(address: &str) -> &str {
    let path = match address.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map_or("", |(_, path)| path),
        None => address,
    };
    path.trim_matches('/')
}

enum Action {
    Record(Duration),
    Kill,
}

async fn serve_events(conn: Arc<Conn>, mut receiver: Receiver, hub: String, partition: Option<String>) {
    loop {
        let delivery = match receiver.recv::<Body<Value>>().await {
            Ok(delivery) => delivery,
            Err(error) => {
                tracing::debug!(%error, connection = conn.id, %hub, "amqp-peer: sender link done");
                return;
            }
        };
        let action = {
            let mut state = conn.shared.state();
            if state.drop_after == Some(0) {
                state.drop_after = None;
                Action::Kill
            } else {
                Action::Record(state.delay)
            }
        };
        let delay = match action {
            Action::Kill => {
                tracing::info!(connection = conn.id, "amqp-peer: dropping connection");
                conn.kill.kill();
                return;
            }
            Action::Record(delay) => delay,
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let batch = delivery.message_format() == &Some(BATCH_MESSAGE_FORMAT);
        let events = decode_events(delivery.message(), batch);
        if let (Some(p), Some(key)) = (&partition, events.iter().find_map(|e| e.partition_key.as_ref())) {
            let error = definitions::Error::new(
                AmqpError::NotAllowed,
                format!(
                    "amqp-peer: partition key '{key}' on a send to partition {p} of '{hub}': set one of them"
                ),
                None,
            );
            conn.shared.state().rejected += 1;
            if let Err(error) = receiver.reject(&delivery, error).await {
                tracing::debug!(%error, connection = conn.id, "amqp-peer: settling failed");
                return;
            }
            continue;
        }
        {
            let mut state = conn.shared.state();
            let count = events.len() as u64;
            let partitions = conn.shared.hubs.get(&hub).copied().unwrap_or(1).max(1);
            let enqueued_ms = now_ms();
            for event in events {
                let log_partition = partition.clone().unwrap_or_else(|| {
                    let next = state.round_robin.entry(hub.clone()).or_insert(0);
                    let p = *next % partitions;
                    *next = next.wrapping_add(1);
                    p.to_string()
                });
                state
                    .logs
                    .entry((hub.clone(), log_partition))
                    .or_default()
                    .push(Stored {
                        message_id: event.message_id.clone(),
                        partition_key: event.partition_key.clone(),
                        body: event.body.clone(),
                        enqueued_ms,
                    });
                state.received.push(Received {
                    hub: hub.clone(),
                    partition: partition.clone(),
                    message_id: event.message_id,
                    partition_key: event.partition_key,
                    body: event.body,
                    connection: conn.id,
                });
            }
            state.batches += 1;
            if let Some(left) = state.drop_after.as_mut() {
                *left = left.saturating_sub(count);
            }
        }
        conn.shared.appended.notify_waiters();
        if let Err(error) = receiver.accept(&delivery).await {
            tracing::debug!(%error, connection = conn.id, "amqp-peer: settling failed");
            return;
        }
    }
}

struct Event {
    message_id: Option<String>,
    partition_key: Option<String>,
    body: Vec<u8>,
}

fn decode_events(message: &Message<Body<Value>>, batch: bool) -> Vec<Event> {
    if !batch {
        return vec![event_of(message)];
    }
    let Body::Data(sections) = &message.body else {
        tracing::warn!("amqp-peer: batch envelope without data sections");
        return Vec::new();
    };
    sections
        .iter()
        .filter_map(|data| {
            let reader = serde_amqp::read::SliceReader::new(&data.0);
            match Body::<Value>::decode_message_from_reader(reader) {
                Ok(inner) => Some(event_of(&inner)),
                Err(error) => {
                    tracing::warn!(%error, "amqp-peer: undecodable event in batch");
                    None
                }
            }
        })
        .collect()
}

fn event_of(message: &Message<Body<Value>>) -> Event {
    let message_id = message
        .properties
        .as_ref()
        .and_then(|p| p.message_id.as_ref())
        .map(|id| match id {
            MessageId::String(s) => s.clone(),
            MessageId::Ulong(n) => n.to_string(),
            MessageId::Uuid(u) => format!("{u:?}"),
            MessageId::Binary(b) => format!("{b:?}"),
        });
    let partition_key = message.message_annotations.as_ref().and_then(|annotations| {
        annotations
            .0
            .iter()
            .find(|(key, _)| key_is(key, "x-opt-partition-key"))
            .and_then(|(_, value)| match value {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
    });
    let body = match &message.body {
        Body::Data(sections) => sections.iter().flat_map(|d| d.0.iter().copied()).collect(),
        Body::Value(AmqpValue(value)) => serde_amqp::to_vec(value).unwrap_or_default(),
        Body::Sequence(_) | Body::Empty => Vec::new(),
    };
    Event {
        message_id,
        partition_key,
        body,
    }
}

fn key_is(key: &fe2o3_amqp::types::messaging::annotations::OwnedKey, name: &str) -> bool {
    use fe2o3_amqp::types::messaging::annotations::OwnedKey;
    match key {
        OwnedKey::Symbol(Symbol(s)) => s == name,
        OwnedKey::Ulong(_) => false,
    }
}

/// Requests to `$cbs` (`put-token`) and `$management` (`READ`).
async fn serve_requests(conn: Arc<Conn>, mut receiver: Receiver, cbs: bool) {
    loop {
        let delivery = match receiver.recv::<Body<Value>>().await {
            Ok(delivery) => delivery,
            Err(error) => {
                tracing::debug!(%error, connection = conn.id, "amqp-peer: request link done");
                return;
            }
        };
        if receiver.accept(&delivery).await.is_err() {
            return;
        }
        let request = delivery.into_message();
        let (status, description, body) = if cbs {
            put_token(&conn.shared, &request)
        } else {
            management(&conn.shared, &request)
        };
        let properties = request.properties.as_ref();
        let reply_to = properties.and_then(|p| p.reply_to.clone());
        let correlation_id = properties.and_then(|p| p.message_id.clone());
        let reply = Message::builder()
            .properties(Properties {
                correlation_id,
                ..Properties::default()
            })
            .application_properties(
                ApplicationProperties::builder()
                    .insert("status-code", SimpleValue::Int(status))
                    .insert("status-description", SimpleValue::String(description))
                    .build(),
            )
            .body(Body::Value(AmqpValue(body)))
            .build();
        let Some(reply_to) = reply_to else {
            tracing::warn!(connection = conn.id, "amqp-peer: request without reply-to");
            continue;
        };
        route_reply(&conn, &reply_to, reply).await;
    }
}

async fn route_reply(conn: &Conn, reply_to: &str, reply: Message<Body<Value>>) {
    // The client attaches its reply receiver before it sends the first request, so the route is
    // normally there already; tolerate a short race anyway.
    for _ in 0..500 {
        let route = conn
            .routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(reply_to)
            .cloned();
        if let Some(route) = route {
            if route.send(reply).is_err() {
                tracing::warn!(connection = conn.id, reply_to, "amqp-peer: reply link gone");
            }
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tracing::warn!(connection = conn.id, reply_to, "amqp-peer: no reply link");
}

/// A link from the client's receiver: the reply link of `$cbs` or `$management`.
async fn serve_reply_link(conn: Arc<Conn>, mut sender: Sender) {
    let Some(address) = sender.target().as_ref().and_then(|t| t.address.clone()) else {
        tracing::warn!(connection = conn.id, "amqp-peer: receiver link without target");
        return;
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    conn.routes
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(address.clone(), tx);
    loop {
        // The client closes its reply receiver when it closes the management client: answer
        // that detach, or the client waits for it forever.
        tokio::select! {
            reply = rx.recv() => {
                let Some(reply) = reply else { break };
                if let Err(error) = sender.send(reply).await {
                    tracing::debug!(%error, connection = conn.id, "amqp-peer: reply failed");
                    break;
                }
            }
            error = sender.on_detach() => {
                tracing::debug!(%error, connection = conn.id, "amqp-peer: reply link detached");
                break;
            }
        }
    }
    drop(rx);
    conn.routes
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .retain(|_, route| !route.is_closed());
    let _ = sender.close().await;
}

fn app_property<'a>(message: &'a Message<Body<Value>>, key: &str) -> Option<&'a str> {
    match message.application_properties.as_ref()?.get(key)? {
        SimpleValue::String(s) => Some(s.as_str()),
        SimpleValue::Symbol(Symbol(s)) => Some(s.as_str()),
        _ => None,
    }
}

type Reply = (i32, String, Value);

fn put_token(shared: &Shared, request: &Message<Body<Value>>) -> Reply {
    if app_property(request, "operation") != Some("put-token") {
        return (501, "amqp-peer: only put-token".into(), Value::Null);
    }
    let token_type = app_property(request, "type").unwrap_or_default().to_string();
    let name = app_property(request, "name").unwrap_or_default().to_string();
    shared.state().tokens.push((token_type, name));
    (202, "Accepted".into(), Value::Null)
}

fn management(shared: &Shared, request: &Message<Body<Value>>) -> Reply {
    if app_property(request, "operation") != Some("READ") {
        return (501, "amqp-peer: only READ".into(), Value::Null);
    }
    let name = app_property(request, "name").unwrap_or_default();
    let Some(&partitions) = shared.hubs.get(name) else {
        return (404, format!("amqp-peer: no event hub '{name}'"), Value::Null);
    };
    let mut map = OrderedMap::new();
    let mut put = |k: &str, v: Value| {
        map.insert(Value::String(k.to_string()), v);
    };
    match app_property(request, "type") {
        Some("com.microsoft:eventhub") => {
            put("name", Value::String(name.to_string()));
            put("type", Value::String("com.microsoft:eventhub".into()));
            put("created_at", Value::Timestamp(shared.created_at.clone()));
            put(
                "partition_count",
                Value::Int(i32::try_from(partitions).unwrap_or(i32::MAX)),
            );
            put(
                "partition_ids",
                Value::Array(Array(
                    (0..partitions).map(|i| Value::String(i.to_string())).collect(),
                )),
            );
        }
        Some("com.microsoft:partition") => {
            let partition = app_property(request, "partition").unwrap_or_default();
            if !partition.parse::<u32>().is_ok_and(|p| p < partitions) {
                return (
                    404,
                    format!("amqp-peer: no partition '{partition}' in '{name}'"),
                    Value::Null,
                );
            }
            put("name", Value::String(name.to_string()));
            put("type", Value::String("com.microsoft:partition".into()));
            put("partition", Value::String(partition.to_string()));
            let (len, last_ms) = {
                let state = shared.state();
                let log = state.logs.get(&(name.to_string(), partition.to_string()));
                (
                    log.map_or(0, Vec::len),
                    log.and_then(|l| l.last()).map(|e| e.enqueued_ms),
                )
            };
            let last = i64::try_from(len).unwrap_or(i64::MAX) - 1;
            put("begin_sequence_number", Value::Long(0));
            put("last_enqueued_sequence_number", Value::Long(last));
            put("last_enqueued_sequence_number_epoch", Value::Long(0));
            put("last_enqueued_offset", Value::String(last.to_string()));
            put(
                "last_enqueued_time_utc",
                Value::Timestamp(
                    last_ms.map_or_else(|| shared.created_at.clone(), Timestamp::from_milliseconds),
                ),
            );
            put("is_partition_empty", Value::Bool(len == 0));
        }
        other => {
            return (
                400,
                format!("amqp-peer: unsupported entity type {other:?}"),
                Value::Null,
            );
        }
    }
    (200, "OK".into(), Value::Map(map))
}

/// Lets the peer cut a connection abruptly. The switch owns the socket: killing it resets the
/// TCP connection at once (zero linger, so the client sees a reset rather than a clean close)
/// and makes every later read and write of the fe2o3 engine fail, so that engine stops too.
#[derive(Debug, Default)]
struct KillSwitch {
    killed: AtomicBool,
    stream: Mutex<Option<TcpStream>>,
    wakers: Mutex<Vec<Waker>>,
    notify: tokio::sync::Notify,
}

impl KillSwitch {
    fn new(stream: TcpStream) -> Self {
        Self {
            stream: Mutex::new(Some(stream)),
            ..Self::default()
        }
    }

    fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        let stream = self.stream.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(stream) = stream {
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        let wakers = std::mem::take(&mut *self.wakers.lock().unwrap_or_else(PoisonError::into_inner));
        for waker in wakers {
            waker.wake();
        }
        self.notify.notify_waiters();
    }

    fn is_open(&self) -> bool {
        self.stream
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    async fn killed(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_killed() {
                return;
            }
            notified.await;
        }
    }

    fn dead() -> io::Error {
        io::Error::new(io::ErrorKind::ConnectionReset, "amqp-peer dropped the connection")
    }

    /// Runs `op` on the socket unless the switch has been killed; remembers the waker so that a
    /// kill wakes an engine waiting on the socket.
    fn poll_io<T>(
        &self,
        cx: &mut Context<'_>,
        op: impl FnOnce(Pin<&mut TcpStream>, &mut Context<'_>) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        {
            let mut wakers = self.wakers.lock().unwrap_or_else(PoisonError::into_inner);
            if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
                if wakers.len() >= 4 {
                    wakers.remove(0);
                }
                wakers.push(cx.waker().clone());
            }
        }
        let mut stream = self.stream.lock().unwrap_or_else(PoisonError::into_inner);
        match stream.as_mut() {
            Some(stream) if !self.is_killed() => op(Pin::new(stream), cx),
            _ => Poll::Ready(Err(Self::dead())),
        }
    }
}

/// The transport handed to fe2o3: the socket, reached through its [`KillSwitch`].
#[derive(Debug)]
struct KillableStream {
    kill: Arc<KillSwitch>,
}

impl Drop for KillableStream {
    /// The engine is done with the transport: close the socket (gracefully, unlike a kill).
    fn drop(&mut self) {
        let stream = self
            .kill
            .stream
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(stream);
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.kill.poll_io(cx, |s, cx| s.poll_read(cx, buf))
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.kill.poll_io(cx, |s, cx| s.poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.kill.poll_io(cx, |s, cx| s.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.kill.poll_io(cx, |s, cx| s.poll_shutdown(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::entity_path;

    #[test]
    fn entity_paths() {
        assert_eq!(entity_path("amqps://127.0.0.1/hub"), "hub");
        assert_eq!(
            entity_path("amqps://127.0.0.1/hub/Partitions/3"),
            "hub/Partitions/3"
        );
        assert_eq!(entity_path("$cbs"), "$cbs");
        assert_eq!(entity_path("$management"), "$management");
    }
}
