package org.purposefirewall.campaign;

import java.util.Arrays;

/**
 * Which contact point each (partition, offset) of the contact-points topic holds, as the producers' acknowledgements
 * reported it: how every output, which names its input's coordinates, is tied to its contact point. Thread-safe.
 */
final class Coordinates {

    private final int[][] byPartition;
    private final int[] sizes;

    Coordinates(int partitions) {
        byPartition = new int[partitions][];
        sizes = new int[partitions];
        for (int p = 0; p < partitions; p++) {
            byPartition[p] = new int[1024];
        }
    }

    synchronized void put(int partition, long offset, int contactPoint) {
        int o = Math.toIntExact(offset);
        if (o >= byPartition[partition].length) {
            byPartition[partition] = Arrays.copyOf(byPartition[partition], Math.max(o + 1, 2 * o));
        }
        byPartition[partition][o] = contactPoint + 1;
        sizes[partition] = Math.max(sizes[partition], o + 1);
    }

    /** Where contact point {@code k} was written ({@code partition@offset}), or "never acknowledged"; a scan. */
    synchronized String of(int k) {
        for (int p = 0; p < byPartition.length; p++) {
            for (int o = 0; o < sizes[p]; o++) {
                if (byPartition[p][o] == k + 1) {
                    return p + "@" + o;
                }
            }
        }
        return "never acknowledged";
    }

    /** The contact point at these coordinates, or -1 if the producers never reported one there. */
    synchronized int at(int partition, long offset) {
        if (partition < 0 || partition >= byPartition.length || offset < 0 || offset >= sizes[partition]) {
            return -1;
        }
        return byPartition[partition][(int) offset] - 1;
    }
}
