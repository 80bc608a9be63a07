package dev.c1m.nio;

import java.io.IOException;

/**
 * A peer broke the protocol (an overlong line, a frame length out of range). The reactor logs the
 * message as the reason and closes only that peer's connection.
 */
public final class ProtocolException extends IOException {

    public ProtocolException(String message) {
        super(message);
    }
}
