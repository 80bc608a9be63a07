package dev.c1m.heartbeat;

import dev.c1m.echo.EchoProtocol;

/**
 * What this chapter's server answers to one line: chapter 1's echo protocol with heartbeats
 * added. Independent of sockets, so the blocking {@link HeartbeatEchoHandler} and a reactor's
 * handler share it.
 *
 * <pre>
 * PING &lt;seq&gt; &lt;nanos&gt;   -&gt; PONG &lt;seq&gt; &lt;nanos&gt;
 * PONG &lt;seq&gt; &lt;nanos&gt;   -&gt; no reply (a peer's answer: it only counts as activity)
 * PING or PONG otherwise -&gt; error: malformed heartbeat, expected PING &lt;seq&gt; &lt;sender-nanos&gt;
 * any other line       -&gt; echo: &lt;line&gt;
 * </pre>
 * Stateless; safe from any thread.
 */
public final class HeartbeatEchoProtocol {

    private HeartbeatEchoProtocol() {
    }

    /** The reply to {@code line}, without its newline, or null if the line gets none. */
    public static String replyTo(String line) {
        return switch (HeartbeatProtocol.classify(line)) {
            case PING -> HeartbeatProtocol.pongLineOrNull(line);
            case PONG -> null;
            case MALFORMED -> HeartbeatProtocol.MALFORMED_REPLY;
            case OTHER -> EchoProtocol.reply(line);
        };
    }
}
