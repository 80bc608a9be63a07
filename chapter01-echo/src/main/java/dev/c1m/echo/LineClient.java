package dev.c1m.echo;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * A blocking client for the {@link EchoProtocol}: send lines, read reply lines.
 *
 * <p>Used by the chapter's command-line client and demo, and by the tests of every chapter. Reads
 * time out after the given duration (a {@link java.net.SocketTimeoutException}), so a silent
 * server can never hang the caller. Replies are read with a generous line limit (1 MiB).
 * Not thread-safe: one thread sends and reads, or one sends and another reads.
 */
public final class LineClient implements AutoCloseable {

    private static final int MAX_REPLY_BYTES = 1024 * 1024;

    private final Socket socket;
    private final LineReader reader;
    private final OutputStream out;

    private LineClient(Socket socket) throws IOException {
        this.socket = socket;
        this.reader = new LineReader(socket.getInputStream(), MAX_REPLY_BYTES);
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    /** Connects within {@code timeout}; every later read also gives up after {@code timeout}. */
    public static LineClient connect(InetSocketAddress server, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(server, Math.toIntExact(timeout.toMillis()));
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            return new LineClient(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code text} and a newline. */
    public void send(String text) throws IOException {
        out.write(EchoProtocol.lineBytes(text));
        out.flush();
    }

    /** Sends bytes exactly as given: for partial lines, raw garbage, or many lines at once. */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next reply line without its newline, or null once the server has closed. */
    public String readLine() throws IOException {
        return reader.readLine();
    }

    /** Sends {@code text} and returns the reply to it. */
    public String request(String text) throws IOException {
        send(text);
        return readLine();
    }

    /** The underlying socket, for tests that need to set options or close it abruptly. */
    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
