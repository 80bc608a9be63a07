package dev.c1m.nio;

import dev.c1m.echo.Uninterruptibles;
import dev.c1m.heartbeat.TimingWheel;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;

/**
 * An event loop on one {@link Selector} (epoll on Linux) and one platform thread: it waits for
 * ready channels, dispatches each to its {@link Connection} or {@link Acceptor}, and runs tasks
 * handed to it from other threads. Doug Lea's "Reactor"; Go's netpoller plays this role under
 * every goroutine.
 *
 * <p><b>One loop iteration.</b>
 * <pre>
 *   run queued tasks (at most 1024, so tasks cannot starve I/O); run due timers; flush the write stage
 *   awake = false; select(action) (selectNow if tasks are queued; with a timeout of one timer
 *   tick while timers are scheduled); awake = true
 *   action, for each ready key: write pending output and/or read; flush the write stage
 *   with a batch window: after 1 to 63 ready keys, pause for the window
 * </pre>
 * An exception while serving one key closes that key's connection and nothing else; the loop
 * itself only stops in {@link #close()}.
 *
 * <p><b>Threads.</b> All connection state, the read buffer and the write stage are confined to
 * the reactor thread ({@code assert inReactorThread()} guards them). Other threads reach the
 * reactor only through {@link #execute} (and {@link #register}, built on it): a lock-free
 * {@link MpscQueue} plus {@link Selector#wakeup()}, called only when the reactor may be asleep
 * in {@code select()}: the {@code awake} flag saves the wake-up system call while the loop is
 * busy anyway.
 *
 * <p><b>Memory.</b> One read buffer and one write stage per reactor, from its
 * {@link BufferSource}; a connection gets a buffer of its own only while it has pending output
 * (here) or a partial message (in its handler).
 *
 * <p><b>Timers.</b> Each reactor owns a chapter 4 {@link TimingWheel} ({@link #timers()}, tick
 * {@value #TIMER_TICK_MILLIS} ms): handlers schedule their timeouts there, on the reactor thread,
 * with no lock, and expiry callbacks run on the reactor thread like any other event. While the
 * wheel is empty the loop blocks in {@code select()} without a timeout; otherwise it wakes at
 * least once per tick. The tick is coarse on purpose: idle and heartbeat timeouts are seconds
 * long, and a reactor holding 20,000 idle connections should not wake a thousand times a second.
 *
 * <p><b>Batching wake-ups.</b> Every return from {@code select()} costs a system call, a context
 * switch and the selector's own bookkeeping, whether it brings one ready key or a thousand. A
 * reactor that hears a few events at a time (one heartbeat every 30 s on each of 18,000
 * connections is 600 a second) pays that per event. With a {@link ReactorSettings#batchWindow()},
 * a turn that handled fewer than {@value #FULL_BATCH_KEYS} keys is followed by a pause of that
 * window, during which the kernel queues what arrives; the next select finds it all ready. Busy
 * reactors never pause (their turns are full), so throughput is unchanged; an idle one adds at most
 * the window to a reply's latency. Tasks from other threads also wait out the pause.
 *
 * <p>Not handled here: admission limits (chapter 6, through {@link AcceptFilter}), edge-triggered mode (the JDK's
 * selector is level-triggered).
 */
public final class Reactor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Reactor.class.getName());
    private static final int MAX_TASKS_PER_ROUND = 1024;
    static final long TIMER_TICK_MILLIS = 100;
    /** 512 ticks of 100 ms: a 51 s rotation covers the usual idle timeouts in one pass. */
    private static final int TIMER_WHEEL_SIZE = 512;
    /** A turn with this many ready keys is busy enough: the next select follows at once. */
    static final int FULL_BATCH_KEYS = 64;

    private final String name;
    private final Selector selector;
    private final Thread thread;
    private final MpscQueue<Runnable> tasks = new MpscQueue<>();
    /** False only while the reactor is in (or about to enter) a blocking select. */
    private final AtomicBoolean awake = new AtomicBoolean(true);
    private final Watermarks watermarks;
    private final BufferSource buffers;        // reactor thread only
    private final int readBufferBytes;
    private final long batchWindowNanos;
    private int keysThisTurn;                  // reactor thread only
    private ByteBuffer readBuffer;             // reactor thread only; acquired when the loop starts
    private ByteBuffer stage;                  // reactor thread only; acquired when the loop starts
    private final TimingWheel timers;          // reactor thread only
    private Connection stageOwner;             // reactor thread only: whose bytes are in the stage
    /** Made once: {@code this::dispatch} written at each select would allocate on every turn. */
    private final Consumer<SelectionKey> dispatch = this::dispatch;
    private volatile boolean closing;
    /** Threads inside {@link #execute} between the closing check and their offer. */
    private final AtomicInteger submitting = new AtomicInteger();
    // Statistics: written only by the reactor thread, readable from any thread.
    private volatile int connections;
    private volatile long registered;
    private volatile long peakPendingOutputBytes;
    private volatile long wakeUps;
    private volatile long readyKeys;

    private Reactor(String name, Selector selector, ReactorSettings settings) {
        this.name = name;
        this.selector = selector;
        this.watermarks = settings.watermarks();
        this.buffers = settings.bufferSources().get();
        this.readBufferBytes = settings.readBufferBytes();
        this.batchWindowNanos = settings.batchWindow().toNanos();
        this.timers = new TimingWheel(Duration.ofMillis(TIMER_TICK_MILLIS), TIMER_WHEEL_SIZE, System.nanoTime());
        this.thread = Thread.ofPlatform().name(name).unstarted(this::loop);
    }

    /** Opens a selector and starts the reactor thread, named {@code name}. */
    public static Reactor start(String name, ReactorSettings settings) throws IOException {
        Reactor reactor = new Reactor(name, Selector.open(), settings);
        reactor.thread.start();
        return reactor;
    }

    public String name() {
        return name;
    }

    /** Whether the caller is this reactor's thread. */
    public boolean inReactorThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Runs {@code task} on the reactor thread, soon; callable from any thread, never blocks.
     * Tasks from one thread run in the order submitted.
     *
     * @throws RejectedExecutionException once the reactor is closing; a task accepted here runs,
     *                                    even if the reactor starts closing meanwhile
     */
    public void execute(Runnable task) {
        submitting.incrementAndGet(); // before reading closing: see shutdown()
        try {
            if (closing) {
                throw new RejectedExecutionException(name + " is closed");
            }
            tasks.offer(task);
        } finally {
            submitting.decrementAndGet();
        }
        // The fence keeps the queue's link store from being reordered after the read of awake;
        // without it, this thread could see awake == true, the reactor then clear it and find
        // the queue still empty, and go to sleep with the task queued: a lost wake-up.
        VarHandle.fullFence();
        if (!awake.get() && !awake.getAndSet(true)) {
            selector.wakeup();
        }
    }

    /**
     * Adopts an accepted channel: on the reactor thread it is made non-blocking, registered for
     * reading, and given a handler from {@code factory}. Callable from any thread; if the reactor
     * is closed, the channel is closed.
     */
    public void register(SocketChannel channel, Handler.Factory factory) {
        register(channel, factory, AcceptFilter.ADMIT_ALL, null);
    }

    /**
     * {@link #register(SocketChannel, Handler.Factory)} for a channel that {@code admittedBy}
     * let in: the filter hears {@link AcceptFilter#released} exactly once for it, with
     * {@code remote}, whether the connection later closes or is dropped here before it is
     * adopted (the reactor is closing, registration fails, the factory throws).
     */
    void register(SocketChannel channel, Handler.Factory factory, AcceptFilter admittedBy, InetSocketAddress remote) {
        if (inReactorThread()) {
            adopt(channel, factory, admittedBy, remote);
            return;
        }
        try {
            execute(() -> adopt(channel, factory, admittedBy, remote));
        } catch (RejectedExecutionException e) {
            closeQuietly(channel);
            release(admittedBy, remote);
        }
    }

    /** Tells {@code filter} that the connection from {@code remote} is over; logs, never throws. */
    static void release(AcceptFilter filter, InetSocketAddress remote) {
        if (filter == AcceptFilter.ADMIT_ALL) {
            return;
        }
        try {
            filter.released(remote);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "accept filter failed to release " + remote, e);
        }
    }

    /**
     * This reactor's timing wheel, on the {@link System#nanoTime()} clock. Reactor thread only:
     * schedule from a handler or from a task given to {@link #execute}.
     */
    public TimingWheel timers() {
        assert inReactorThread();
        return timers;
    }

    /**
     * Calls {@code action} for every open connection of this reactor (for example
     * {@link Connection#closeAfterFlush} to drain them at shutdown). Reactor thread only.
     */
    public void forEachConnection(Consumer<Connection> action) {
        assert inReactorThread();
        for (SelectionKey key : List.copyOf(selector.keys())) {
            if (key.attachment() instanceof Connection connection && connection.state() != Connection.State.CLOSED) {
                action.accept(connection);
            }
        }
    }

    /** Open connections on this reactor. */
    public int connectionCount() {
        return connections;
    }

    /** Connections registered since start. */
    public long registeredConnections() {
        return registered;
    }

    /** The largest pending output any one connection of this reactor has had, in bytes. */
    public long peakPendingOutputBytes() {
        return peakPendingOutputBytes;
    }

    /**
     * Turns of the loop that found ready keys: what the batch window reduces. With
     * {@link #readyKeys()}, the keys one wake-up handles on average.
     */
    public long wakeUps() {
        return wakeUps;
    }

    /** Ready keys handled since start, over all turns. */
    public long readyKeys() {
        return readyKeys;
    }

    /**
     * Stops the loop, closes every connection and listener registered here, and waits for the
     * thread to end. Idempotent; must not be called from the reactor thread itself.
     */
    @Override
    public void close() {
        if (inReactorThread()) {
            throw new IllegalStateException("close() would wait for its own thread; call it from another thread");
        }
        closing = true;
        selector.wakeup();
        LockSupport.unpark(thread); // in case it pauses for a batch window
        Uninterruptibles.join(thread);
    }

    // ---- package-private: used by Connection and Acceptor on the reactor thread ----

    Watermarks watermarks() {
        return watermarks;
    }

    BufferSource buffers() {
        assert inReactorThread();
        return buffers;
    }

    /**
     * Closing a channel that is registered with a selector only cancels its key: the socket
     * itself is closed when the selector next deregisters cancelled keys, in its next select.
     * Called right after such a close (a listener that must stop accepting now), this does that
     * select at once. Ready events it sees are ignored: the selector is level-triggered, so they
     * are reported again by the loop's own select.
     */
    void releaseClosedChannels() {
        assert inReactorThread();
        try {
            selector.selectNow(key -> { });
        } catch (IOException e) {
            LOG.log(Level.WARNING, "{0}: selectNow failed: {1}", name, e.toString());
        }
    }

    void listen(ServerSocketChannel listener, Acceptor acceptor) throws IOException {
        assert inReactorThread();
        listener.configureBlocking(false);
        acceptor.registered(listener.register(selector, SelectionKey.OP_ACCEPT, acceptor));
    }

    /**
     * Copies {@code bytes} into the write stage on behalf of {@code owner}. The common case, bytes
     * for the connection the stage already holds (or for an empty stage) that fit, is one bulk copy.
     */
    void stage(Connection owner, ByteBuffer bytes) {
        assert inReactorThread();
        if (claimStage(owner, bytes.remaining())) {
            stage.put(bytes);
        } else {
            stageInParts(owner, bytes);
        }
    }

    /** {@link #stage(Connection, ByteBuffer)} for a whole array, which it wraps only when it does not fit. */
    void stage(Connection owner, byte[] bytes) {
        assert inReactorThread();
        if (claimStage(owner, bytes.length)) {
            stage.put(bytes);
        } else {
            stageInParts(owner, ByteBuffer.wrap(bytes));
        }
    }

    /** Makes {@code owner} the stage's owner if {@code length} more bytes fit without a flush. */
    private boolean claimStage(Connection owner, int length) {
        if ((stageOwner == owner || stageOwner == null) && length <= stage.remaining()) {
            stageOwner = owner;
            return true;
        }
        return false;
    }

    /** Stages bytes for a new owner or more than fit: flushes the stage as often as needed. */
    private void stageInParts(Connection owner, ByteBuffer bytes) {
        if (stageOwner != owner) {
            flushStage();
            stageOwner = owner;
        }
        while (bytes.hasRemaining()) {
            if (!stage.hasRemaining()) {
                flushStage();
                if (owner.pendingOutputBytes() > 0 || owner.state() != Connection.State.OPEN) {
                    owner.write(bytes); // the socket is full: queue the rest (or drop it if closed)
                    return;
                }
                stageOwner = owner;
            }
            int chunk = Math.min(bytes.remaining(), stage.remaining());
            stage.put(stage.position(), bytes, bytes.position(), chunk);
            stage.position(stage.position() + chunk);
            bytes.position(bytes.position() + chunk);
        }
    }

    /** Writes the staged bytes to their owner's socket. */
    void flushStage() {
        assert inReactorThread();
        Connection owner = stageOwner;
        if (owner == null) {
            return;
        }
        stageOwner = null;
        stage.flip();
        owner.flush(stage);
        stage.clear();
    }

    void recordPendingOutput(int bytes) {
        if (bytes > peakPendingOutputBytes) {
            peakPendingOutputBytes = bytes;
        }
    }

    void connectionClosed(Connection connection) {
        assert inReactorThread();
        if (stageOwner == connection) {
            stageOwner = null;
            stage.clear();
        }
        connections--;
    }

    // ---- the loop ----

    private void loop() {
        // Acquired here, not in the constructor: a BufferSource is used only by its reactor's thread.
        readBuffer = buffers.acquire(readBufferBytes);
        stage = buffers.acquire(readBufferBytes);
        try {
            while (!closing) {
                turn();
            }
        } finally {
            shutdown();
        }
    }

    /**
     * One turn of the loop. It is a method of its own because the JIT compiles methods when they
     * are called often: a body written inside {@code loop()}, which is entered once, would run in
     * the interpreter until enough iterations earn an on-stack replacement, minutes for an idle
     * reactor that wakes ten times a second.
     */
    private void turn() {
        runTasks();
        timers.expire(System.nanoTime());
        flushStage();
        selectAndDispatch();
        if (keysThisTurn > 0) {
            wakeUps++;             // single writer: the reactor thread
            readyKeys += keysThisTurn;
        }
        if (batchWindowNanos > 0 && keysThisTurn > 0 && keysThisTurn < FULL_BATCH_KEYS && !closing) {
            LockSupport.parkNanos(batchWindowNanos);
        }
    }

    /**
     * Waits for ready keys and handles each. {@code select(Consumer)} hands every ready key to
     * the action straight from the epoll events: unlike {@code select()} plus
     * {@code selectedKeys()}, nothing is added to a set that the loop must remember to empty
     * (forgetting {@code selectedKeys().remove} is the classic selector bug), and no set entry is
     * allocated per ready key.
     */
    private void selectAndDispatch() {
        keysThisTurn = 0;
        awake.set(false);
        try {
            if (!tasks.isEmpty() || closing) {
                selector.selectNow(dispatch);
            } else if (timers.size() == 0) {
                selector.select(dispatch);
            } else {
                selector.select(dispatch, millisUntilNextTick());
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "{0}: select failed: {1}", name, e.toString());
        } finally {
            awake.set(true);
        }
    }

    private void dispatch(SelectionKey key) {
        keysThisTurn++;
        if (!awake.get()) {
            awake.set(true); // past epoll_wait: producers need not wake us until the next select
        }
        Object attachment = key.attachment();
        if (attachment instanceof Connection connection) {
            try {
                if (key.isValid() && key.isWritable()) {
                    connection.onWritable();
                }
                if (key.isValid() && key.isReadable()) {
                    connection.onReadable(readBuffer);
                }
            } catch (Throwable failure) { // whatever one connection did, the loop goes on
                connection.closeOnError(failure);
            }
        } else if (attachment instanceof Acceptor acceptor) {
            try {
                if (key.isValid()) {
                    acceptor.onAcceptable();
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, name + ": acceptor failed", e);
            }
        }
        flushStage();
    }

    /** At least 1: {@code select(action, 0)} would mean "no timeout". */
    private long millisUntilNextTick() {
        long nanos = timers.nanosUntilNextTick(System.nanoTime());
        return Math.max(1, (nanos + 999_999) / 1_000_000);
    }

    private void runTasks() {
        for (int i = 0; i < MAX_TASKS_PER_ROUND; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            try {
                task.run();
            } catch (Throwable failure) {
                LOG.log(Level.WARNING, name + ": task failed", failure);
            }
        }
    }

    private void adopt(SocketChannel channel, Handler.Factory factory, AcceptFilter admittedBy, InetSocketAddress remote) {
        assert inReactorThread();
        if (closing) {
            closeQuietly(channel);
            release(admittedBy, remote);
            return;
        }
        Connection connection;
        try {
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            connection = new Connection(this, channel, key, admittedBy);
            key.attach(connection);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "{0}: could not register a connection: {1}", name, e.toString());
            closeQuietly(channel);
            release(admittedBy, remote);
            return;
        }
        connections++;
        registered++;
        try {
            connection.attach(factory.create(connection));
        } catch (RuntimeException e) {
            connection.closeOnError(e);
        }
    }

    /**
     * Closes everything, after running every task accepted: registrations close their channels
     * now that closing is set. A submitter counted in {@code submitting} may have read closing as
     * false and not yet offered its task; it is waited for (an offer takes nanoseconds), and one
     * that arrives later reads closing as true and is refused.
     */
    private void shutdown() {
        closing = true; // also when the loop ended by an error
        while (submitting.get() != 0) {
            Thread.onSpinWait();
        }
        while (!tasks.isEmpty()) {
            runTasks();
        }
        for (SelectionKey key : List.copyOf(selector.keys())) {
            if (key.attachment() instanceof Connection connection) {
                connection.close();
            } else if (key.attachment() instanceof Acceptor acceptor) {
                acceptor.close();
            } else {
                closeQuietly(key.channel());
            }
        }
        closeQuietly(selector);
        buffers.release(readBuffer);
        buffers.release(stage);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "close failed: {0}", e.toString());
        }
    }
}
