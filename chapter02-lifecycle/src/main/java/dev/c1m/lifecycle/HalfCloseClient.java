package dev.c1m.lifecycle;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineReader;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A client that sends all of its requests, half-closes the connection with
 * {@link Socket#shutdownOutput()} ("I have nothing more to say"), and then reads every reply
 * until the server closes its side: the pattern of {@code nc -N}, of a batch upload, or of Go's
 * {@code conn.(*net.TCPConn).CloseWrite()}.
 *
 * <p>{@code shutdownOutput()} sends a FIN but keeps the receiving half open; {@code close()}
 * would give up both halves, and replies arriving afterwards would be answered with a reset. The
 * server must cooperate: on end of stream it answers what it has read, then closes.
 *
 * <p>Requests are written by a separate virtual thread while the calling thread reads replies.
 * Writing everything before reading anything deadlocks once the unread replies fill the socket
 * buffers (the server blocks writing replies, so it stops reading, so our write blocks).
 * Each call uses its own connection and threads; there is no shared state.
 */
public final class HalfCloseClient {

    private static final int MAX_REPLY_BYTES = 1024 * 1024;

    private HalfCloseClient() {
    }

    /**
     * Sends {@code requests}, half-closes, and returns every reply line received before the
     * server closed. Each read gives up after {@code timeout}.
     */
    public static List<String> exchange(InetSocketAddress server, List<String> requests, Duration timeout)
            throws IOException, InterruptedException {
        try (Socket socket = new Socket()) {
            socket.connect(server, Math.toIntExact(timeout.toMillis()));
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            CompletableFuture<Void> sent = new CompletableFuture<>();
            Thread.ofVirtual().name("half-close-sender").start(() -> sendAllThenHalfClose(socket, requests, sent));
            List<String> replies = readUntilEndOfStream(socket);
            awaitSent(sent);
            return replies;
        }
    }

    private static void sendAllThenHalfClose(Socket socket, List<String> requests, CompletableFuture<Void> sent) {
        try {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            for (String request : requests) {
                out.write(EchoProtocol.lineBytes(request));
            }
            out.flush();
            socket.shutdownOutput();
            sent.complete(null);
        } catch (IOException | RuntimeException e) {
            sent.completeExceptionally(e);
        }
    }

    private static List<String> readUntilEndOfStream(Socket socket) throws IOException {
        LineReader reader = new LineReader(socket.getInputStream(), MAX_REPLY_BYTES);
        List<String> replies = new ArrayList<>();
        String line;
        while ((line = reader.readLine()) != null) {
            replies.add(line);
        }
        return replies;
    }

    private static void awaitSent(CompletableFuture<Void> sent) throws IOException, InterruptedException {
        try {
            sent.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new UncheckedIOException(new IOException("sending failed", e.getCause()));
        }
    }
}
