package dev.c1m.tuning;

import dev.c1m.concurrency.load.LatencyHistogram;
import dev.c1m.heartbeat.HeartbeatProtocol;
import dev.c1m.heartbeat.TimerEntry;
import dev.c1m.heartbeat.TimingWheel;
import dev.c1m.lifecycle.AbortiveClose;
import dev.c1m.limit.Refusals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The load generator of one process: one selector thread drives every connection of a
 * {@link LoadPlan} without blocking, and {@link #run()} returns a {@link LoadReport} when the plan's
 * time is up (or {@link #stop()} was called).
 *
 * <p>How it stays cheap at tens of thousands of connections: one shared read buffer (a connection
 * keeps bytes only while a reply line is incomplete); at most one request in flight per
 * connection; and every deadline lives in a FIFO queue, because all connections share one timeout
 * so reply deadlines are created in time order and the queue's head is always the next to expire
 * (no timer per connection). Answered entries are skipped lazily when they reach the head.
 * Heartbeats are due on chapter 4's timing wheel instead (O(1) per heartbeat; a priority queue
 * with a comparator cost this loop 15% of its CPU): a connection's first one comes one interval
 * after it opened plus a random part of another, so that a fast ramp does not turn into bursts of
 * heartbeats that measure the burst rather than the server, and the ramp itself is not slowed by
 * heartbeats of connections it has just opened. A heartbeat is written and its reply parsed as bytes,
 * with no {@code String}; what it allocates is its small entry in the deadline queue, and a
 * version without even that (parallel arrays) measured no difference in CPU per ping.
 *
 * <p>With a {@link LoadPlan#batchWindow()}, a hold run whose connections are all open pauses for
 * that window after a turn of fewer than {@value #FULL_BATCH_KEYS} ready keys, as chapter 5's
 * reactor does: replies spread over many server processes would otherwise wake this loop one at
 * a time. The pause is inside the round trips it measures, so they overstate the server's by up
 * to the window, never understate it.
 *
 * <p>Modes: HOLD opens connections at the plan's rate and keeps them, sending
 * {@code PING <seq> <nanos>} on each every heartbeat interval, with its results per step of
 * {@code stepDuration} as well as in all; ECHO sends lines of
 * {@code messageBytes} in closed loop (or at a total rate: latency then counts from the intended
 * send time, so a slow server cannot hide its queueing, the "coordinated omission" trap); RAMP is
 * ECHO with {@code step} more connections every step. Connections are spread round robin over the
 * source addresses first, then the destinations.
 *
 * <p>A run ends at the plan's end, on {@link #stop()}, or (hold and echo) as soon as every
 * connection has been attempted and none is open any more.
 *
 * <p>Threading: everything but {@link #stop()} happens on the thread that
 * calls {@link #run()}. It does not retry failed connects, except in hold mode with
 * {@code --reconnect}, which replaces every connection that fails (closed, reset, or refused or
 * timed out while connecting), paced like the ramp.
 */
public final class LoadEngine {

    private static final System.Logger LOG = System.getLogger(LoadEngine.class.getName());
    private static final int MAX_CONNECTS_IN_FLIGHT = 2048;
    private static final int MAX_LINE_BYTES = 64 * 1024;
    /** The longest echo request whose reply, {@code "echo: " + line}, still fits in a line this engine reads. */
    public static final int MAX_MESSAGE_BYTES = MAX_LINE_BYTES - "echo: ".length();
    /**
     * The loop's tick: the longest it blocks in {@code select}, and the precision of its timers.
     * Echo and ramp runs pace requests, so they tick every 5 ms. A hold run only needs heartbeats
     * on time to a few tens of milliseconds, and every tick is a wake-up whether anything is due or
     * not: at 5 ms an idle load process cost 0.85% of a core (about 40 us per wake-up on this VM),
     * 0.4 cores for the 51 processes of a C1M run, so a hold run ticks every 20 ms.
     */
    private static final long ECHO_TICK_MILLIS = 5;
    private static final long HOLD_TICK_MILLIS = 20;
    /** 8,192 ticks: a 41 s rotation at 5 ms, 164 s at 20 ms; a longer interval costs a skipped visit per rotation. */
    private static final int HEARTBEAT_WHEEL_TICKS = 8192;
    /** A turn with this many ready keys is busy enough: the loop selects again without a pause. */
    private static final int FULL_BATCH_KEYS = 64;
    private static final byte[] PONG_SPACE = "PONG ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ECHOED_PING_SPACE = "echo: PING ".getBytes(StandardCharsets.US_ASCII);
    /** What {@link #parseDecimal} returns for bytes that are no {@code long} (a sender's clock never reads this). */
    private static final long NOT_A_NUMBER = Long.MIN_VALUE;

    private final LoadPlan plan;
    private final LongSupplier nanoClock;
    private final Consumer<LoadProgress> progressSink;
    private final long progressIntervalNanos;
    private final long tickMillis;
    private final long batchWindowNanos;
    private volatile boolean stopRequested;
    private volatile Selector selector;

    // Everything below is touched only by the thread in run().
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final byte[] lineBytes = new byte[MAX_LINE_BYTES];
    private final ArrayDeque<Connection> connecting = new ArrayDeque<>();
    /** Ports for the sockets bound to source addresses, chosen here rather than by the kernel's search. */
    private final SourcePorts sourcePorts = SourcePorts.ofThisMachine();
    private final ArrayDeque<Pending> awaitingReply = new ArrayDeque<>();
    /** Heartbeats due, on chapter 4's timing wheel (one tick per loop tick); created by {@link #run}. */
    private TimingWheel heartbeatsDue;
    private final ByteBuffer heartbeatLine = ByteBuffer.allocateDirect(HeartbeatProtocol.MAX_LINE_CHARS + 1);
    private final SplittableRandom random = new SplittableRandom();
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final List<Connection> all = new ArrayList<>();
    /** Connections in {@link #all} closed since it was last pruned. */
    private int closedInAll;
    private final Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
    private final LatencyHistogram latency = new LatencyHistogram();
    private final List<LoadReport.Step> steps = new ArrayList<>();
    private LatencyHistogram stepLatency = new LatencyHistogram();
    private ConnectPacer pacer;
    private long startNanos;
    private long countFromNanos;
    private long budget;
    private long attempted, connected, open, peakOpen, sent, answered, failed, errorCount, countedInFlight;
    private long stepStartNanos, stepSent, stepAnswered, stepFailed, stepWakeUps;
    private long rampDoneNanos = -1;
    private long lastConnectNanos;
    private long nextIntendedNanos;
    private long nextProgressNanos;
    private long endNanos = Long.MAX_VALUE;
    /** Created once: a {@code key -> onReady(key)} written at the select would allocate on every pass. */
    private final Consumer<SelectionKey> onReady = this::onReady;
    private boolean sending = true;

    /**
     * One connection's state; a request is in flight while {@code inFlightSeq > 0}. Its timer
     * entry on {@link #heartbeatsDue} is its next heartbeat.
     */
    private final class Connection extends TimerEntry {
        final SocketChannel channel;
        SelectionKey key;
        boolean isOpen;
        boolean closed;
        long connectDeadline;
        byte[] partialLine;
        ByteBuffer unwritten;
        long lastSeq;
        long inFlightSeq;
        long sentAt;
        boolean counted;
        byte[] expectedReply;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        protected void onExpiry(long nowNanos) {
            heartbeatDue(this, nowNanos);
        }
    }

    private record Pending(Connection connection, long seq, long deadline) {
    }

    /**
     * @param progressSink receives a snapshot every {@code progressInterval} nanos, on the run thread
     */
    public LoadEngine(LoadPlan plan, LongSupplier nanoClock, Consumer<LoadProgress> progressSink, long progressIntervalNanos) {
        this.plan = plan;
        this.nanoClock = nanoClock;
        this.progressSink = progressSink;
        this.progressIntervalNanos = progressIntervalNanos;
        this.tickMillis = plan.mode() == LoadMode.HOLD ? HOLD_TICK_MILLIS : ECHO_TICK_MILLIS;
        this.batchWindowNanos = plan.mode() == LoadMode.HOLD ? plan.batchWindow().toNanos() : 0;
    }

    public LoadEngine(LoadPlan plan) {
        this(plan, System::nanoTime, p -> { }, 1_000_000_000L);
    }

    /**
     * Asks a running {@link #run()} to finish now (it still drains and reports); within a batch
     * window if the loop is pausing. Any thread.
     */
    public void stop() {
        stopRequested = true;
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    /** Runs the plan to its end and reports. Closes every connection it opened before returning. */
    public LoadReport run() throws IOException {
        return run(report -> { });
    }

    /**
     * {@link #run()}, handing the report to {@code measured} as soon as the run is measured, before
     * its connections are reset. Resetting tens of thousands of them on a saturated machine can
     * take longer than a stopped process is given (21 of a C1M run's 51 load processes were ended
     * that way, with their numbers); what {@code measured} printed is out by then.
     */
    public LoadReport run(Consumer<LoadReport> measured) throws IOException {
        try (Selector opened = Selector.open()) {
            selector = opened;
            startNanos = nanoClock.getAsLong();
            heartbeatsDue = new TimingWheel(Duration.ofMillis(tickMillis), HEARTBEAT_WHEEL_TICKS, startNanos);
            pacer = new ConnectPacer(plan.connectRate(), nanoClock);
            budget = plan.mode() == LoadMode.RAMP ? Math.min(plan.step(), plan.connections()) : plan.connections();
            countFromNanos = plan.mode() == LoadMode.ECHO ? startNanos + plan.warmup().toNanos() : startNanos;
            stepStartNanos = startNanos;
            nextIntendedNanos = startNanos;
            nextProgressNanos = startNanos + progressIntervalNanos;
            while (!stopRequested && runOnce(opened)) {
                // each pass is its own call: a loop body inside run() would stay interpreted, since
                // run() is entered once and a loop that ticks every few ms takes minutes to earn an on-stack compile
            }
            long end = nanoClock.getAsLong();
            long openAtEnd = open;
            drain(opened);
            if (plan.mode() != LoadMode.ECHO) {
                finishStep(nanoClock.getAsLong()); // after the drain, so that the steps add up to the whole run
            }
            publishProgress(nanoClock.getAsLong());
            long connectNanos = connected == 0 ? 0 : lastConnectNanos - startNanos;
            long measuredNanos = plan.mode() == LoadMode.ECHO ? Math.max(0, end - countFromNanos) : end - startNanos;
            LoadReport report = new LoadReport(plan.mode(), 1, plan.connections(), attempted, connected, peakOpen,
                    openAtEnd, connectNanos, measuredNanos, sent, answered, failed, errors, latency, steps);
            measured.accept(report);
            closeAll();
            return report;
        } finally {
            closeAll();
            selector = null;
        }
    }

    /** One pass of the loop: timers, connects and sends due now, then a select. False once the run is over. */
    private boolean runOnce(Selector opened) throws IOException {
        long now = nanoClock.getAsLong();
        if (endNanos == Long.MAX_VALUE) {
            endNanos = plannedEnd(now);
        }
        if (now >= endNanos) {
            return false;
        }
        switch (plan.mode()) {
            case RAMP -> advanceRamp(now);
            case HOLD -> advanceHoldStep(now);
            case ECHO -> { }
        }
        openConnections(now);
        if (nothingLeft()) {
            return false;
        }
        expireConnects(now);
        expireReplies(now);
        heartbeatsDue.expire(now);
        dispatchAtRate(now);
        if (now >= nextProgressNanos) {
            publishProgress(now);
            nextProgressNanos += progressIntervalNanos;
        }
        int readyKeys = opened.select(onReady, tickMillis);
        if (readyKeys > 0) {
            stepWakeUps++;
        }
        pauseAfterLightTurn(readyKeys);
        return true;
    }

    /** The batch window, once this process's ramp is done (connects are paced every tick until then). */
    private void pauseAfterLightTurn(int readyKeys) {
        if (batchWindowNanos > 0 && rampDoneNanos >= 0 && readyKeys > 0 && readyKeys < FULL_BATCH_KEYS && !stopRequested) {
            LockSupport.parkNanos(batchWindowNanos);
        }
    }

    /** When the run ends; unknown (MAX_VALUE) in hold mode until every initial connect resolved. */
    private long plannedEnd(long now) {
        return switch (plan.mode()) {
            case HOLD -> rampDoneNanos < 0 ? Long.MAX_VALUE : rampDoneNanos + plan.hold().toNanos();
            case ECHO -> countFromNanos + plan.duration().toNanos();
            case RAMP -> startNanos + plan.stepDuration().toNanos() * plan.steps();
        };
    }

    /** Every connection was attempted and none is open or connecting: waiting would measure nothing. */
    private boolean nothingLeft() {
        return plan.mode() != LoadMode.RAMP && attempted >= budget && connecting.isEmpty() && open == 0;
    }

    // ---- connecting ----

    private void openConnections(long now) {
        long wanted = Math.min(budget - attempted, MAX_CONNECTS_IN_FLIGHT - connecting.size());
        int allowed = pacer.take((int) Math.max(0, wanted));
        for (int i = 0; i < allowed; i++) {
            openOne(now);
        }
        if (rampDoneNanos < 0 && attempted >= plan.connections() && connecting.isEmpty()) {
            rampDoneNanos = now;
        }
    }

    private void openOne(long now) {
        long index = attempted++;
        List<InetAddress> sources = plan.sources();
        InetAddress destination = plan.destinations().get(
                (int) ((index / Math.max(1, sources.size())) % plan.destinations().size()));
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            if (!sources.isEmpty()) {
                sourcePorts.bind(channel, sources.get((int) (index % sources.size())));
            }
            Connection c = new Connection(channel);
            c.connectDeadline = now + plan.connectTimeout().toNanos();
            boolean connectedAtOnce = channel.connect(new InetSocketAddress(destination, plan.port()));
            c.key = channel.register(selector, connectedAtOnce ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
            all.add(c);
            if (connectedAtOnce) {
                onConnected(c, now);
            } else {
                connecting.add(c);
            }
        } catch (IOException e) { // open, bind or connect failed at once (no port left, unreachable)
            closeQuietly(channel);
            recordError(ErrorKind.of(e), e);
            replaceIfReconnecting();
        }
    }

    private void expireConnects(long now) {
        while (!connecting.isEmpty()) {
            Connection c = connecting.peek();
            if (c.isOpen || c.closed) {
                connecting.poll();
            } else if (now >= c.connectDeadline) {
                connecting.poll();
                expireConnect(c, now);
            } else {
                return;
            }
        }
    }

    /**
     * A connect past its deadline may have completed without the selector having said so yet:
     * after a long pause of this loop (a GC, a starved CPU) the kernel finished handshakes whose
     * events wait behind the 1,024 a {@code select} hands over at once. Ask the socket before
     * calling it a timeout.
     */
    private void expireConnect(Connection c, long now) {
        try {
            if (c.channel.finishConnect()) {
                c.key.interestOps(SelectionKey.OP_READ);
                onConnected(c, now);
                return;
            }
            fail(c, ErrorKind.CONNECT_TIMEOUT, null);
        } catch (IOException e) {
            fail(c, ErrorKind.of(e), e);
        }
    }

    private void onConnected(Connection c, long now) {
        c.isOpen = true;
        connected++;
        open++;
        peakOpen = Math.max(peakOpen, open);
        if (rampDoneNanos < 0) {
            lastConnectNanos = now;
        }
        switch (plan.mode()) {
            case HOLD -> {
                if (!plan.heartbeat().isZero()) {
                    long interval = plan.heartbeat().toNanos();
                    heartbeatsDue.schedule(c, now + interval + random.nextLong(interval));
                }
            }
            case ECHO, RAMP -> becomeIdle(c, now);
        }
    }

    // ---- requests ----

    private void becomeIdle(Connection c, long now) {
        if (!sending) {
            return;
        }
        if (plan.rate() == 0) {
            sendEcho(c, now, now);
        } else {
            idle.add(c);
        }
    }

    /** Rate mode: the i-th request is due at start + i / rate; it waits for an idle connection. */
    private void dispatchAtRate(long now) {
        if (plan.rate() == 0 || plan.mode() == LoadMode.HOLD || !sending) {
            return;
        }
        long interval = 1_000_000_000L / plan.rate();
        while (nextIntendedNanos <= now && !idle.isEmpty()) {
            Connection c = idle.poll();
            if (c.isOpen) {
                sendEcho(c, nextIntendedNanos, now);
                nextIntendedNanos += interval;
            }
        }
    }

    private void sendEcho(Connection c, long intendedAt, long now) {
        String payload = padded(Long.toString(c.lastSeq + 1), plan.messageBytes());
        c.expectedReply = ("echo: " + payload).getBytes(StandardCharsets.UTF_8);
        send(c, intendedAt, now, ByteBuffer.wrap((payload + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    /** A connection's heartbeat is due: the next one goes on the wheel, this one on the wire. */
    private void heartbeatDue(Connection c, long now) {
        if (!c.isOpen) {
            return; // closed since: its entry simply ends here
        }
        long interval = plan.heartbeat().toNanos();
        long next = c.deadlineNanos() + interval;
        heartbeatsDue.schedule(c, next > now ? next : now + interval); // after a stall, no catch-up burst
        if (c.inFlightSeq == 0 && c.unwritten == null && sending) {
            heartbeatLine.clear();
            HeartbeatProtocol.putPing(heartbeatLine, c.lastSeq + 1, now);
            send(c, now, now, heartbeatLine.put((byte) '\n').flip());
        }
    }

    /** Sends one request line (newline included); {@code line} may be a shared buffer, it is not kept. */
    private void send(Connection c, long sentAt, long now, ByteBuffer line) {
        c.inFlightSeq = ++c.lastSeq;
        c.sentAt = sentAt;
        c.counted = sentAt >= countFromNanos;
        if (c.counted) {
            sent++;
            stepSent++;
            countedInFlight++;
        }
        awaitingReply.add(new Pending(c, c.inFlightSeq, now + plan.replyTimeout().toNanos()));
        write(c, line);
    }

    private void write(Connection c, ByteBuffer bytes) {
        try {
            c.channel.write(bytes);
            if (bytes.hasRemaining()) {
                c.unwritten = ByteBuffer.allocate(bytes.remaining()).put(bytes).flip();
                c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        } catch (IOException e) {
            fail(c, ErrorKind.of(e), e);
        }
    }

    private void expireReplies(long now) {
        while (!awaitingReply.isEmpty()) {
            Pending p = awaitingReply.peek();
            Connection c = p.connection;
            if (c.closed || c.inFlightSeq != p.seq) {
                awaitingReply.poll();
            } else if (now >= p.deadline) {
                awaitingReply.poll();
                if (replyWaitingInSocket(c, now)) {
                    continue;
                }
                if (plan.mode() == LoadMode.HOLD) {
                    requestFailed(c);
                    recordError(ErrorKind.REPLY_TIMEOUT, null);
                } else {
                    fail(c, ErrorKind.REPLY_TIMEOUT, null);
                }
            } else {
                return;
            }
        }
    }

    /**
     * Reads a late request's socket before calling it a timeout, and says whether that settled
     * it (answered, or the connection failed). After a long pause of this loop (a GC, a starved
     * CPU), replies that arrived in time wait behind the 1,024 events a {@code select} hands over
     * at once; the same trap as {@link #expireConnect} for connects.
     */
    private boolean replyWaitingInSocket(Connection c, long now) {
        long seq = c.inFlightSeq;
        try {
            read(c, now);
        } catch (IOException e) {
            fail(c, ErrorKind.of(e), e);
        }
        return c.closed || c.inFlightSeq != seq;
    }

    private void requestFailed(Connection c) {
        if (c.inFlightSeq != 0 && c.counted) {
            failed++;
            stepFailed++;
            countedInFlight--;
        }
        c.inFlightSeq = 0;
    }

    // ---- readiness ----

    private void onReady(SelectionKey key) {
        Connection c = (Connection) key.attachment();
        if (c.closed || !key.isValid()) {
            return;
        }
        long now = nanoClock.getAsLong();
        try {
            if (key.isConnectable()) {
                if (c.channel.finishConnect()) {
                    key.interestOps(SelectionKey.OP_READ);
                    onConnected(c, now);
                }
                return;
            }
            if (key.isWritable()) {
                c.channel.write(c.unwritten);
                if (!c.unwritten.hasRemaining()) {
                    c.unwritten = null;
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
            if (key.isReadable()) {
                read(c, now);
            }
        } catch (IOException e) {
            fail(c, ErrorKind.of(e), e);
        }
    }

    private void read(Connection c, long now) throws IOException {
        readBuffer.clear();
        int n = c.channel.read(readBuffer);
        if (n < 0) {
            fail(c, ErrorKind.CLOSED_BY_PEER, null);
            return;
        }
        readBuffer.flip();
        while (readBuffer.hasRemaining() && !c.closed) {
            int start = readBuffer.position();
            int newline = -1;
            for (int i = start; i < readBuffer.limit(); i++) {
                if (readBuffer.get(i) == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? readBuffer.limit() : newline;
            int prefix = c.partialLine == null ? 0 : c.partialLine.length;
            if (prefix + end - start > MAX_LINE_BYTES) {
                fail(c, ErrorKind.BAD_REPLY, null);
                return;
            }
            if (newline < 0) {
                byte[] more = Arrays.copyOf(c.partialLine == null ? new byte[0] : c.partialLine, prefix + end - start);
                readBuffer.get(more, prefix, end - start);
                c.partialLine = more;
                return;
            }
            if (prefix > 0) {
                System.arraycopy(c.partialLine, 0, lineBytes, 0, prefix);
                c.partialLine = null;
            }
            readBuffer.get(lineBytes, prefix, end - start);
            readBuffer.get(); // the newline
            int length = prefix + end - start;
            if (length > 0 && lineBytes[length - 1] == '\r') {
                length--;
            }
            onLine(c, length, now);
        }
    }

    /** Handles the reply line in {@code lineBytes[0, length)}. */
    private void onLine(Connection c, int length, long now) {
        if (Refusals.isRefusal(lineBytes, length)) {
            fail(c, ErrorKind.SERVER_REFUSED, null);
        } else if (plan.mode() == LoadMode.HOLD) {
            onHeartbeatReply(c, length, now);
        } else if (c.inFlightSeq != 0 && Arrays.equals(lineBytes, 0, length, c.expectedReply, 0, c.expectedReply.length)) {
            answered(c, now - c.sentAt);
            becomeIdle(c, now);
        } else {
            fail(c, ErrorKind.BAD_REPLY, null);
        }
    }

    /** Accepts {@code PONG <seq> <nanos>} and/or {@code echo: PING <seq> <nanos>}, as the plan says. */
    private void onHeartbeatReply(Connection c, int length, long now) {
        HeartbeatReply accepted = plan.heartbeatReply();
        int body = -1;
        if (startsWith(length, PONG_SPACE) && accepted != HeartbeatReply.ECHO) {
            body = PONG_SPACE.length;
        } else if (startsWith(length, ECHOED_PING_SPACE) && accepted != HeartbeatReply.PONG) {
            body = ECHOED_PING_SPACE.length;
        }
        int space = body < 0 ? -1 : indexOf(' ', body, length);
        long seq = space < 0 ? NOT_A_NUMBER : parseDecimal(body, space);
        long sentAt = space < 0 ? NOT_A_NUMBER : parseDecimal(space + 1, length);
        if (seq > 0 && sentAt != NOT_A_NUMBER && seq == c.inFlightSeq && sentAt == c.sentAt) {
            answered(c, now - sentAt);
        } else if (seq <= 0 || seq > c.lastSeq || sentAt == NOT_A_NUMBER) {
            fail(c, ErrorKind.BAD_REPLY, null);
        } // else: a late reply to a heartbeat already counted as timed out
    }

    private boolean startsWith(int length, byte[] prefix) {
        return length >= prefix.length && Arrays.equals(lineBytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private int indexOf(char wanted, int from, int to) {
        for (int i = from; i < to; i++) {
            if (lineBytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** The decimal in {@code lineBytes[from, to)}, or {@link #NOT_A_NUMBER}; optional minus, no overflow. */
    private long parseDecimal(int from, int to) {
        boolean negative = from < to && lineBytes[from] == '-';
        int first = negative ? from + 1 : from;
        if (first == to || to - first > 19) {
            return NOT_A_NUMBER;
        }
        long value = 0; // accumulated negative, so that Long.MIN_VALUE parses too
        for (int i = first; i < to; i++) {
            int digit = lineBytes[i] - '0';
            if (digit < 0 || digit > 9 || value < (Long.MIN_VALUE + digit) / 10) {
                return NOT_A_NUMBER;
            }
            value = value * 10 - digit;
        }
        if (!negative && value == Long.MIN_VALUE) {
            return NOT_A_NUMBER;
        }
        return negative ? value : -value;
    }

    private void answered(Connection c, long nanos) {
        if (c.counted) {
            answered++;
            stepAnswered++;
            countedInFlight--;
            latency.record(nanos);
            stepLatency.record(nanos);
        }
        c.inFlightSeq = 0;
    }

    // ---- ramp, failure, end ----

    private void advanceRamp(long now) {
        if (now - stepStartNanos >= plan.stepDuration().toNanos() && steps.size() + 1 < plan.steps()) {
            finishStep(now);
            budget = Math.min(plan.connections(), budget + plan.step());
        }
    }

    /**
     * Hold mode cuts its run into steps of {@code --step-duration}, each ending at the first pass
     * after start + k steps, so that step k of every process covers the same time: a supervisor's
     * children start together, and an observer can pick the steps of a window (the C1M run's
     * "while holding"). A stall longer than a step is followed by empty steps, to stay aligned.
     */
    private void advanceHoldStep(long now) {
        if (now - startNanos >= (steps.size() + 1) * plan.stepDuration().toNanos()) {
            finishStep(now);
        }
    }

    private void finishStep(long now) {
        steps.add(new LoadReport.Step(open, now - stepStartNanos, stepSent, stepAnswered, stepFailed, stepWakeUps,
                stepLatency));
        stepLatency = new LatencyHistogram();
        stepSent = stepAnswered = stepFailed = stepWakeUps = 0;
        stepStartNanos = now;
    }

    private void fail(Connection c, ErrorKind kind, IOException cause) {
        if (c.closed) {
            return;
        }
        recordError(kind, cause);
        requestFailed(c);
        c.closed = true;
        closeQuietly(c.channel);
        if (c.isOpen) {
            c.isOpen = false;
            open--;
        }
        replaceIfReconnecting(); // whether it was open or still connecting
        if (++closedInAll > all.size() / 2) {
            all.removeIf(gone -> gone.closed); // a long run of reconnects must not keep every dead socket
            closedInAll = 0;
        }
    }

    /** With {@code --reconnect} in a hold run, a failed connection is replaced: one more to open, paced like the ramp. */
    private void replaceIfReconnecting() {
        if (plan.reconnect() && plan.mode() == LoadMode.HOLD && sending) {
            budget++;
        }
    }

    private void recordError(ErrorKind kind, IOException cause) {
        if (errors.merge(kind, 1L, Long::sum) == 1L) {
            LOG.log(System.Logger.Level.INFO, "first " + kind + (cause == null ? "" : ": " + cause));
        }
        errorCount++;
    }

    /** Stops sending and waits (at most one reply timeout) for the answers still in flight. */
    private void drain(Selector opened) throws IOException {
        sending = false;
        long deadline = nanoClock.getAsLong() + plan.replyTimeout().toNanos();
        while (countedInFlight > 0 && nanoClock.getAsLong() < deadline) {
            opened.select(onReady, tickMillis);
        }
        for (Connection c : all) {
            if (!c.closed && c.inFlightSeq != 0 && c.counted) {
                requestFailed(c);
                recordError(ErrorKind.REPLY_TIMEOUT, null);
            }
        }
    }

    private void publishProgress(long now) {
        progressSink.accept(new LoadProgress(now - startNanos, plan.connections(), attempted, connected, open, sent,
                answered, errorCount));
    }

    /**
     * Resets every connection (chapter 2's {@link AbortiveClose}) once the run has read every reply
     * it waited for. An orderly close would leave each of them in TIME_WAIT here for 60 s, and a
     * run started in that minute binds its sockets past those ports: 100,000 of them cut the next
     * ramp from 9,900 to 1,800 connects/s (the kernel's {@code tcp_tw_reuse} does not help a socket
     * bound before it connects).
     */
    private void closeAll() {
        for (Connection c : all) {
            c.closed = true;
            resetQuietly(c.channel);
        }
        all.clear();
    }

    private static void resetQuietly(SocketChannel channel) {
        try {
            AbortiveClose.reset(channel);
        } catch (IOException ignored) {
            // the run is over and so is this socket; nothing useful to do
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a socket we are done with; nothing useful to do
            }
        }
    }

    private static String padded(String text, int length) {
        return text.length() >= length ? text : text + "x".repeat(length - text.length());
    }
}
