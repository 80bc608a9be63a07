package dev.c1m.nio;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two selector mistakes the reactor avoids, shown on a bare {@link Selector}: what a naive
 * event loop would see. (The reactor removes each selected key before handling it, and registers
 * {@code OP_WRITE} only while output is pending.)
 */
@Timeout(10)
class SelectorPitfallsTest {

    private ServerSocketChannel listener;
    private SocketChannel client;
    private SocketChannel server;
    private Selector selector;

    @BeforeEach
    void connectAPair() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        client = SocketChannel.open(listener.getLocalAddress());
        server = listener.accept();
        server.configureBlocking(false);
        selector = Selector.open();
    }

    @AfterEach
    void closeAll() throws IOException {
        selector.close();
        server.close();
        client.close();
        listener.close();
    }

    @Test
    void aKeyNotRemovedFromSelectedKeysIsHandledAgainAlthoughNothingIsReady() throws IOException {
        SelectionKey key = server.register(selector, SelectionKey.OP_READ);
        client.write(ByteBuffer.wrap(new byte[] {1}));
        assertThat(selector.select(5_000)).isEqualTo(1);
        assertThat(server.read(ByteBuffer.allocate(16))).isEqualTo(1); // handled, but the key is not removed

        int newlyReady = selector.selectNow();

        assertThat(newlyReady).isZero();
        assertThat(selector.selectedKeys()).as("the stale key a naive loop handles again").containsExactly(key);
        assertThat(server.read(ByteBuffer.allocate(16))).as("...and reads nothing").isZero();
    }

    @Test
    void writeInterestWithNothingToWriteWakesTheLoopOnEverySelect() throws IOException {
        server.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE); // the mistake: OP_WRITE always on

        int immediateWakeUps = 0;
        for (int i = 0; i < 1_000; i++) {
            if (selector.select(1_000) > 0) { // an idle connection: select should sleep the full second
                immediateWakeUps++;
            }
            selector.selectedKeys().clear();
        }

        assertThat(immediateWakeUps).as("a busy loop: every select returned at once").isEqualTo(1_000);
    }
}
