package dev.c1m.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class BufferPoolTest {

    private static final BufferPool.Settings SMALL = BufferPool.Settings.defaults()
            .withSizeClasses(List.of(256, 1024, 4096)).withSlabBytes(16 * 1024).withLeakSamplingInterval(0);

    @Test
    void handsOutDirectBuffersOfTheSmallestFittingClassAtPositionZeroAndFullLimit() {
        BufferPool pool = new BufferPool("classes", SMALL);
        int[][] requestAndClass = {{1, 256}, {256, 256}, {257, 1024}, {1024, 1024}, {1025, 4096}, {4096, 4096}};
        for (int[] pair : requestAndClass) {
            PooledBuffer handle = pool.acquire(pair[0]);
            ByteBuffer buffer = handle.buffer();
            assertThat(buffer.isDirect()).isTrue();
            assertThat(buffer.capacity()).as("class for %d bytes", pair[0]).isEqualTo(pair[1]);
            assertThat(buffer.position()).isZero();
            assertThat(buffer.limit()).isEqualTo(buffer.capacity());
            handle.release();
        }
        assertThatThrownBy(() -> pool.acquire(4097))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("largest size class (4096)");
    }

    @Test
    void reusesAReleasedBufferAndResetsItsPositionAndLimit() {
        BufferPool pool = new BufferPool("reuse", SMALL);
        PooledBuffer first = pool.acquire(1000);
        ByteBuffer memory = first.buffer();
        memory.putInt(42).flip();
        first.release();

        PooledBuffer second = pool.acquire(600);
        assertThat(second.buffer()).isSameAs(memory); // the same slot, warmest first
        assertThat(second.buffer().position()).isZero();
        assertThat(second.buffer().limit()).isEqualTo(1024);
        second.release();
        assertThat(pool.reservedBytes()).isEqualTo(16 * 1024); // one slab of the 1 KiB class, nothing more
    }

    @Test
    void buffersOfOneSlabAreDistinctNonOverlappingSlices() {
        BufferPool pool = new BufferPool("slices", SMALL);
        List<PooledBuffer> all = new ArrayList<>();
        for (int i = 0; i < 16; i++) { // 16 KiB slab / 1 KiB = 16 buffers
            PooledBuffer handle = pool.acquire(1024);
            handle.buffer().putInt(0, i);
            all.add(handle);
        }
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).buffer().getInt(0)).isEqualTo(i); // no slice overwrote another
        }
        assertThat(pool.inUse(1024)).isEqualTo(16);
        assertThat(pool.reservedBytes()).isEqualTo(16 * 1024);
        all.forEach(PooledBuffer::release);
        assertThat(pool.inUse()).isZero();
    }

    @Test
    void refusesAtOnceWhenTheMemoryBoundIsReachedAndRecoversAfterARelease() {
        BufferPool pool = new BufferPool("bounded", SMALL.withMaxBytes(32 * 1024));
        List<PooledBuffer> held = new ArrayList<>();
        for (int i = 0; i < 8; i++) { // two 16 KiB slabs of 4 KiB buffers
            held.add(pool.acquire(4096));
        }
        assertThatThrownBy(() -> pool.acquire(4096))
                .isInstanceOf(BufferPoolExhaustedException.class)
                .hasMessageContaining("bound of 32768 bytes")
                .hasMessageContaining("no free 4096-byte buffer (8 in use)");
        assertThatThrownBy(() -> pool.acquire(10)) // other classes cannot grow either
                .isInstanceOf(BufferPoolExhaustedException.class);
        assertThat(pool.exhaustedCount()).isEqualTo(2);
        assertThat(pool.reservedBytes()).isEqualTo(32 * 1024);

        held.remove(0).release();
        PooledBuffer again = pool.acquire(4096);
        assertThat(again.capacity()).isEqualTo(4096);
        again.release();
        held.forEach(PooledBuffer::release);
        assertThat(pool.inUse()).isZero();
    }

    @Test
    void doubleReleaseThrowsAtOnceAndTheBufferIsNotListedTwice() {
        BufferPool pool = new BufferPool("double", SMALL);
        PooledBuffer handle = pool.acquire(100);
        handle.release();
        assertThatThrownBy(handle::release)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("double release");
        assertThatThrownBy(handle::buffer).isInstanceOf(IllegalStateException.class);
        PooledBuffer a = pool.acquire(100);
        PooledBuffer b = pool.acquire(100);
        assertThat(a.buffer()).isNotSameAs(b.buffer());
        a.release();
        b.release();
    }

    @Test
    void debugModeMakesAStaleViewUnreadable() {
        BufferPool pool = new BufferPool("debug-read", SMALL.withDebug(true));
        PooledBuffer handle = pool.acquire(100);
        ByteBuffer stale = handle.buffer();
        stale.put((byte) 7);
        handle.release();
        assertThatThrownBy(stale::get).isInstanceOf(BufferUnderflowException.class);
        assertThatThrownBy(() -> stale.get(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void debugModeReportsAWriteThroughAStaleViewAtTheNextAcquireWithTheReleaseSite() {
        BufferPool pool = new BufferPool("debug-write", SMALL.withDebug(true));
        PooledBuffer handle = pool.acquire(100);
        ByteBuffer stale = handle.buffer();
        releaseHere(handle);
        stale.clear().put(5, (byte) 1); // a bug: the stale owner resets the limit and writes

        assertThatThrownBy(() -> pool.acquire(100))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("use after release")
                .hasMessageContaining("written at offset 5")
                .cause().hasMessageContaining("released here")
                .satisfies(cause -> assertThat(cause.getStackTrace())
                        .anyMatch(frame -> frame.getMethodName().equals("releaseHere")));
        PooledBuffer clean = pool.acquire(100); // the slot was re-poisoned and is usable again
        clean.release();
    }

    @Test
    void debugModeGivesEachAcquireAFreshViewSoAStaleHandleFailsEvenAfterReuse() {
        BufferPool pool = new BufferPool("debug-handles", SMALL.withDebug(true));
        PooledBuffer first = pool.acquire(100);
        first.release();
        PooledBuffer second = pool.acquire(100); // the same memory, lent again
        assertThatThrownBy(first::buffer).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(first::release).isInstanceOf(IllegalStateException.class);
        second.release();
    }

    @Test
    void ownedBuffersReleaseByBufferAndRejectABufferReleasedTwice() {
        BufferPool pool = new BufferPool("owned", SMALL);
        OwnedBuffers owned = new OwnedBuffers(pool);
        ByteBuffer a = owned.acquire(300);
        ByteBuffer b = owned.acquire(300);
        assertThat(a.capacity()).isEqualTo(1024);
        assertThat(owned.outstanding()).isEqualTo(2);
        owned.release(a);
        assertThatThrownBy(() -> owned.release(a)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not outstanding");
        assertThatThrownBy(() -> owned.release(ByteBuffer.allocateDirect(1024)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(owned.releaseAll()).isEqualTo(1);
        assertThat(pool.inUse()).isZero();
        assertThat(b.capacity()).isEqualTo(1024);
    }

    @Test
    void ownedBuffersAreConfinedToTheFirstThreadThatUsesThem() throws Exception {
        BufferPool pool = new BufferPool("confined", SMALL);
        OwnedBuffers owned = new OwnedBuffers(pool);
        ByteBuffer mine = owned.acquire(100);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                owned.release(mine);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        other.join();
        assertThat(failure.get()).isInstanceOf(AssertionError.class); // tests run with -ea
        owned.release(mine);
        assertThat(pool.inUse()).isZero();
    }

    private static void releaseHere(PooledBuffer handle) {
        handle.release();
    }
}
