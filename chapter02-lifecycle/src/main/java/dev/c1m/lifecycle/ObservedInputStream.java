package dev.c1m.lifecycle;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A connection's input stream that tells its {@link TrackedConnection} whenever bytes arrive
 * (restarting its idle clock) and remembers whether the last byte read ended a line.
 *
 * <p>The second fact lets a server see that a connection is between requests: no partial line is
 * waiting for its end. Owned by the connection's thread.
 */
final class ObservedInputStream extends FilterInputStream {

    private final TrackedConnection connection;
    private boolean atLineBoundary = true;

    ObservedInputStream(InputStream in, TrackedConnection connection) {
        super(in);
        this.connection = connection;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            connection.recordActivity();
            atLineBoundary = b == '\n';
        }
        return b;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        int read = super.read(bytes, offset, length);
        if (read > 0) {
            connection.recordActivity();
            atLineBoundary = bytes[offset + read - 1] == '\n';
        }
        return read;
    }

    /** True if nothing has been read yet or the last byte read was a newline. */
    boolean atLineBoundary() {
        return atLineBoundary;
    }
}
