package dev.c1m.concurrency;

import dev.c1m.echo.ConnectionHandler;
import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineReader;
import dev.c1m.echo.LineTooLongException;
import dev.c1m.echo.LingeringClose;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.UnaryOperator;

/**
 * The echo protocol with I/O and work on separate threads: the connection's own thread (a
 * virtual thread, typically) reads a line and writes the reply; computing the reply runs on a
 * {@link WorkerPool}. Replies keep the order of requests, since a connection waits for each
 * reply before reading the next line.
 *
 * <p>When the pool says busy ({@link Backpressure#REJECT_WITH_BUSY}) the connection gets
 * {@value #BUSY} for that line and stays open. Under {@link Backpressure#BLOCK_PRODUCER} this
 * thread waits, and stops reading, until there is room; under {@link Backpressure#CALLER_RUNS}
 * it computes the reply itself.
 *
 * <p>Stateless apart from the shared pool; one instance serves all connections. An over-long
 * line is answered as chapter 1's handler answers it, {@code error: line too long} and a
 * lingering close, and ends the connection.
 */
public final class WorkerPoolEchoHandler implements ConnectionHandler {

    /** The reply to a line the worker pool had no room for. */
    public static final String BUSY = "error: busy";

    private final WorkerPool workers;
    private final UnaryOperator<String> work;
    private final int maxLineBytes;

    /** {@code work} turns a request line into its reply line; it runs on a worker thread. */
    public WorkerPoolEchoHandler(WorkerPool workers, UnaryOperator<String> work, int maxLineBytes) {
        this.workers = workers;
        this.work = work;
        this.maxLineBytes = maxLineBytes;
    }

    /** The echo reply, after {@code micros} of busy CPU work: a stand-in for real request work. */
    public static UnaryOperator<String> echoAfterCpuWork(long micros) {
        return line -> {
            long until = System.nanoTime() + micros * 1_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return EchoProtocol.reply(line);
        };
    }

    @Override
    public void handle(Socket socket) throws IOException {
        LineReader reader = new LineReader(socket.getInputStream(), maxLineBytes);
        OutputStream out = new BufferedOutputStream(socket.getOutputStream());
        String line;
        try {
            while ((line = reader.readLine()) != null) {
                out.write(EchoProtocol.lineBytes(replyTo(line)));
                out.flush();
            }
        } catch (LineTooLongException tooLong) {
            LingeringClose.refuseLineTooLong(socket, out);
            throw tooLong;
        }
    }

    private String replyTo(String line) throws IOException {
        try {
            return workers.submit(() -> work.apply(line)).get();
        } catch (RejectedExecutionException busy) {
            return BUSY;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a worker");
        } catch (ExecutionException e) {
            throw new IOException("work failed for a line", e.getCause());
        }
    }
}
