package dev.c1m.nio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class FileTransferTest {

    /** Not a multiple of the copy buffer, nor of a page. */
    private static final int FILE_BYTES = 8 * 1024 * 1024 + 12_345;

    @TempDir
    Path directory;

    /** How one strategy sends a file. */
    private interface Sender {
        long send(FileChannel file, SocketChannel socket) throws IOException;
    }

    @Test
    void zeroCopyDeliversTheFileByteForByte() throws Exception {
        assertDeliveredExactly(FileTransfer::sendZeroCopy);
    }

    @Test
    void theReadWriteLoopDeliversTheFileByteForByte() throws Exception {
        assertDeliveredExactly((file, socket) -> FileTransfer.sendByCopy(file, socket, ByteBuffer.allocateDirect(64 * 1024)));
    }

    private void assertDeliveredExactly(Sender sender) throws Exception {
        byte[] content = new byte[FILE_BYTES];
        new Random(5).nextBytes(content);
        Path path = Files.write(directory.resolve("payload.bin"), content);

        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel receiver = SocketChannel.open(listener.getLocalAddress());
             SocketChannel socket = listener.accept();
             FileChannel file = FileChannel.open(path)) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readAll(receiver),
                    command -> Thread.ofVirtual().start(command));

            long sent = sender.send(file, socket);
            socket.shutdownOutput();

            assertThat(sent).isEqualTo(FILE_BYTES);
            assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(content);
        }
    }

    private static byte[] readAll(SocketChannel channel) {
        ByteBuffer all = ByteBuffer.allocate(FILE_BYTES + 1);
        try {
            while (channel.read(all) >= 0) {
                if (!all.hasRemaining()) {
                    break; // more than was sent: the assertion on the content fails
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Arrays.copyOf(all.array(), all.position());
    }
}
