package dev.c1m.tuning.server;

import dev.c1m.heartbeat.IdleTracker;
import dev.c1m.nio.Connection;
import dev.c1m.nio.Handler;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One connection of a {@link ServerNode}: its line protocol handler plus its idle tracker
 * (chapter 4), which every read refreshes with one ordered store and no timer operation, and
 * which its close takes out of the reactor's timing wheel. (Its admission is given back by
 * chapter 5's acceptor, which wraps every admitted connection's handler for that.)
 *
 * <p>Reactor thread only, like every chapter 5 handler. Size matters here, a million of these
 * exist: two references and nothing else.
 */
final class TrackedSession implements Handler {

    private final Handler protocol;
    private final IdleTracker<Connection> idle;

    TrackedSession(Handler protocol, IdleTracker<Connection> idle) {
        this.protocol = protocol;
        this.idle = idle;
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
    }
}
