package dev.c1m.tuning.server;

import dev.c1m.heartbeat.IdleTracker;
import dev.c1m.nio.Connection;
import dev.c1m.nio.Handler;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * One connection of a {@link ServerNode}: its line protocol handler, plus what the server must
 * remember about it to the end: its idle tracker (chapter 4), which every read refreshes with one
 * ordered store and no timer operation, and the client address it was admitted under (chapter 6),
 * which its close gives back.
 *
 * <p>Reactor thread only, like every chapter 5 handler. Size matters here, a million of these
 * exist: four references and nothing else (the address is the channel's own cached object).
 */
final class TrackedSession implements Handler {

    private final Handler protocol;
    private final IdleTracker<Connection> idle;
    private final InetAddress admittedFrom;
    private final SessionFactory sessions;

    TrackedSession(Handler protocol, IdleTracker<Connection> idle, InetAddress admittedFrom, SessionFactory sessions) {
        this.protocol = protocol;
        this.idle = idle;
        this.admittedFrom = admittedFrom;
        this.sessions = sessions;
    }

    @Override
    public void onInput(Connection connection, ByteBuffer input) throws IOException {
        idle.recordActivity(System.nanoTime());
        protocol.onInput(connection, input);
    }

    @Override
    public void onEndOfInput(Connection connection) throws IOException {
        protocol.onEndOfInput(connection);
    }

    @Override
    public void onClosed(Connection connection) {
        protocol.onClosed(connection);
        idle.stopWatching();
        sessions.ended(admittedFrom);
    }
}
