package dev.c1m.concurrency.load;

import java.time.Duration;

/**
 * How the connections of an {@link EchoLoadClient} fared when each sent its first line.
 * The five counts add up to {@code connections}.
 *
 * @param connections       connections attempted
 * @param echoed            got their exact first echo within the first-echo timeout
 * @param noReply           connected, but got no reply within the timeout (left open: a fixed
 *                          pool's queued connections end up here)
 * @param wrongReply        got a reply other than the echo, such as {@code error: busy}
 * @param closedByServer    connected, then the server closed or reset them (refused)
 * @param connectFailed     could not connect at all
 * @param timeUntilLastEcho from the first connect attempt to the last first echo received
 */
public record FirstEchoReport(int connections, int echoed, int noReply, int wrongReply, int closedByServer,
                              int connectFailed, Duration timeUntilLastEcho) {

    /** True if every connection got its first echo. */
    public boolean allEchoed() {
        return echoed == connections;
    }
}
