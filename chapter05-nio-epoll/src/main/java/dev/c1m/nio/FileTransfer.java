package dev.c1m.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Sends a file to a socket in the two ways the zero-copy benchmark compares.
 *
 * <ul>
 *   <li>{@link #sendZeroCopy}: {@link FileChannel#transferTo}, which the JDK implements on Linux
 *       with {@code sendfile(2)}: the kernel moves pages from the page cache to the socket, and
 *       the bytes never enter the JVM. Go's {@code io.Copy} from an {@code *os.File} to a
 *       {@code *net.TCPConn} does the same (it checks for {@code ReaderFrom}).</li>
 *   <li>{@link #sendByCopy}: a {@code read(2)} into a buffer and a {@code write(2)} out of it per
 *       chunk: every byte is copied into user space and back, and each chunk costs two system
 *       calls.</li>
 * </ul>
 * Both expect a channel in blocking mode, so they run on a thread of their own (a virtual thread
 * is ideal). With a non-blocking socket, {@code transferTo} may return 0 when the send buffer is
 * full; a reactor would then register {@code OP_WRITE} and resume from the same position, which
 * this class does not do. Not handled: TLS (encryption needs the bytes in user space, which is
 * why HTTPS servers lose sendfile unless the kernel does TLS), and files that change while being
 * sent. Stateless.
 */
public final class FileTransfer {

    private FileTransfer() {
    }

    /** Sends all of {@code file} with {@code transferTo} (sendfile); returns the bytes sent. */
    public static long sendZeroCopy(FileChannel file, WritableByteChannel socket) throws IOException {
        long size = file.size();
        long position = 0;
        while (position < size) {
            position += file.transferTo(position, size - position, socket);
        }
        return position;
    }

    /** Sends all of {@code file} through {@code buffer} with read and write calls; returns the bytes sent. */
    public static long sendByCopy(FileChannel file, WritableByteChannel socket, ByteBuffer buffer) throws IOException {
        long sent = 0;
        long position = 0;
        while (true) {
            buffer.clear();
            int read = file.read(buffer, position);
            if (read < 0) {
                return sent;
            }
            position += read;
            buffer.flip();
            while (buffer.hasRemaining()) {
                sent += socket.write(buffer);
            }
        }
    }
}
