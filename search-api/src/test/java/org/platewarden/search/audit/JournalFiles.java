package org.platewarden.search.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Test helper: edits a journal's record lines in place, as someone with the disk could, keeping its padding. */
final class JournalFiles {
    private JournalFiles() {
    }

    /** Replaces line {@code number} (from 1) with what {@code edit} makes of it; null removes the line. */
    static void editLine(Path journal, int number, UnaryOperator<String> edit) throws IOException {
        List<String> lines = new ArrayList<>(List.of(Files.readString(journal, StandardCharsets.UTF_8).split("\n", -1)));
        String edited = edit.apply(lines.get(number - 1));
        if (edited == null) lines.remove(number - 1);
        else lines.set(number - 1, edited);
        Files.writeString(journal, String.join("\n", lines), StandardCharsets.UTF_8);
    }
}
