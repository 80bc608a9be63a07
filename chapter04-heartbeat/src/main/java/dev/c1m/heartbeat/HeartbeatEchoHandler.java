package dev.c1m.heartbeat;

import dev.c1m.echo.ConnectionHandler;
import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineReader;
import dev.c1m.echo.LineTooLongException;
import dev.c1m.echo.LingeringClose;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Chapter 1's line handler with heartbeats and idle detection: answers each line as
 * {@link HeartbeatEchoProtocol} says, records activity on every line, and lets an
 * {@link IdleDetector} on a {@link WheelTimer} close the connection once it has been silent for
 * the idle timeout.
 *
 * <p>Threads: {@link #handle} runs on the connection's thread and touches the idle state only
 * through {@link IdleTracker#recordActivity}, a single store; starting and stopping the tracker
 * are handed to the timer thread with {@link WheelTimer#execute}, in that order. The idle close
 * happens on the timer thread: it closes the socket, and this thread's blocked read then fails and
 * ends the handler. One instance serves all connections.
 *
 * <p>Not handled: a peer that sends but never reads (the write blocks; chapter 5's watermarks
 * handle that).
 */
public final class HeartbeatEchoHandler implements ConnectionHandler {

    private final WheelTimer timer;
    private final IdleDetector<Socket> idleDetector;
    private final int maxLineBytes;

    /** @param idleDetector a detector on {@code timer}'s wheel whose listener closes the socket */
    public HeartbeatEchoHandler(WheelTimer timer, IdleDetector<Socket> idleDetector, int maxLineBytes) {
        this.timer = timer;
        this.idleDetector = idleDetector;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void handle(Socket socket) throws IOException {
        IdleTracker<Socket> tracker = idleDetector.newTracker(socket, timer.nowNanos());
        timer.execute(() -> idleDetector.start(tracker));
        try {
            serve(socket, tracker);
        } finally {
            timer.execute(() -> idleDetector.stop(tracker));
        }
    }

    private void serve(Socket socket, IdleTracker<Socket> tracker) throws IOException {
        LineReader reader = new LineReader(socket.getInputStream(), maxLineBytes);
        OutputStream out = new BufferedOutputStream(socket.getOutputStream());
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                tracker.recordActivity(timer.nowNanos());
                String reply = HeartbeatEchoProtocol.replyTo(line);
                if (reply != null) {
                    out.write(EchoProtocol.lineBytes(reply));
                }
                if (!reader.hasBufferedLine()) {
                    out.flush();
                }
            }
            out.flush();
        } catch (LineTooLongException tooLong) {
            LingeringClose.refuseLineTooLong(socket, out);
            throw tooLong;
        }
    }
}
