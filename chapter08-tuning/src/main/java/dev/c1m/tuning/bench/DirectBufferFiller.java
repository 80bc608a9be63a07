package dev.c1m.tuning.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.c1m.tuning.ExitWithParent;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link DirectMemoryLimit}: allocates direct buffers of a given size and
 * reports, one line each, what the JVM let it do.
 *
 * <pre>
 * java ... DirectBufferFiller BUFFER_BYTES CHECKPOINT_BYTES GO_DIR hold|drop
 * </pre>
 * {@code hold} keeps every buffer: prints {@code READY}, waits for {@code GO_DIR/go-1}, allocates up
 * to CHECKPOINT_BYTES, prints {@code CHECKPOINT}, waits for {@code GO_DIR/go-2} (the parent reads
 * Native Memory Tracking in both pauses), then allocates until {@link OutOfMemoryError} and prints
 * {@code OOME held=... message=...}. {@code drop} keeps none: it allocates CHECKPOINT_BYTES in all,
 * dropping each buffer at once, and prints {@code DONE} or {@code OOME}, with the GCs it took.
 * Single-threaded.
 */
public final class DirectBufferFiller {

    private DirectBufferFiller() {
    }

    public static void main(String[] args) throws Exception {
        ExitWithParent.whenStandardInputEnds(1); // a child of DirectMemoryLimit only: no orphan if it is killed
        int bufferBytes = Integer.parseInt(args[0]);
        long checkpointBytes = Long.parseLong(args[1]);
        Path goDir = Path.of(args[2]);
        boolean hold = args[3].equals("hold");
        String option = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption("MaxDirectMemorySize").getValue();
        System.out.println("READY MaxDirectMemorySize=" + option + " maxMemory=" + Runtime.getRuntime().maxMemory());
        if (hold) {
            holdUntilFull(bufferBytes, checkpointBytes, goDir);
        } else {
            dropEach(bufferBytes, checkpointBytes);
        }
    }

    private static void holdUntilFull(int bufferBytes, long checkpointBytes, Path goDir) throws InterruptedException {
        awaitFile(goDir.resolve("go-1"));
        List<ByteBuffer> held = new ArrayList<>();
        long heldBytes = 0;
        boolean checkpointed = false;
        try {
            while (true) {
                if (!checkpointed && heldBytes >= checkpointBytes) {
                    System.out.println("CHECKPOINT held=" + heldBytes + " pool=" + directPool().getMemoryUsed());
                    awaitFile(goDir.resolve("go-2"));
                    checkpointed = true;
                }
                held.add(ByteBuffer.allocateDirect(bufferBytes));
                heldBytes += bufferBytes;
            }
        } catch (OutOfMemoryError e) {
            System.out.println("OOME held=" + heldBytes + " buffers=" + held.size() + " pool=" + directPool().getMemoryUsed()
                    + " gcs=" + gcCount() + " message=" + e.getMessage());
        }
    }

    private static void dropEach(int bufferBytes, long totalBytes) {
        long allocated = 0;
        try {
            while (allocated < totalBytes) {
                ByteBuffer.allocateDirect(bufferBytes); // unreachable at once: only a GC frees its memory
                allocated += bufferBytes;
            }
            System.out.println("DONE allocated=" + allocated + " gcs=" + gcCount());
        } catch (OutOfMemoryError e) {
            System.out.println("OOME allocated=" + allocated + " gcs=" + gcCount() + " message=" + e.getMessage());
        }
    }

    private static BufferPoolMXBean directPool() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).findFirst().orElseThrow();
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static void awaitFile(Path file) throws InterruptedException {
        while (!Files.exists(file)) {
            Thread.sleep(10);
        }
    }
}
