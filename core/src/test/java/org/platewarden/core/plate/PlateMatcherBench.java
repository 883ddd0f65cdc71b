package org.platewarden.core.plate;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Not a test (no assertions on speed): a JMH-free sanity benchmark of the per-candidate costs.
 * Run: {@code java -cp core/target/classes:core/target/test-classes:<jackson jars>
 * org.platewarden.core.plate.PlateMatcherBench}.
 */
public final class PlateMatcherBench {
    public static void main(String[] args) {
        Random rnd = new Random(1);
        List<String> plates = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) plates.add(PlateOracleTest.randomPlate(rnd));
        List<StoredTerms> terms = plates.stream().map(StoredTerms::of).toList();
        String[][] queries = {{"ABC1234", "0"}, {"ABC1234", "2"}, {"AB?1234", "0"}, {"*C1234", "0"}, {"*C1234", "2"},
                {"AB?12*", "1"}, {"A?C12*4", "2"}};
        for (int round = 0; round < 3; round++) {
            for (String[] q : queries) {
                PlateQuery query = PlateQuery.parse(q[0], true, Integer.parseInt(q[1]));
                PlateMatcher matcher = new PlateMatcher(query);
                CandidateQuery plan = CandidateQuery.plan(query);
                int hits = 0, candidates = 0;
                long t0 = System.nanoTime();
                for (int rep = 0; rep < 10; rep++) for (String p : plates) if (matcher.matchOrNull(p) != null) hits++;
                long t1 = System.nanoTime();
                for (int rep = 0; rep < 10; rep++) for (StoredTerms t : terms) if (plan.matches(t)) candidates++;
                long t2 = System.nanoTime();
                if (round == 2) {
                    System.out.printf("%-8s k=%s  matcher %4.0f ns/plate  plan %5.0f ns/plate  hits=%d candidates=%d terms=%d%n",
                            q[0], q[1], (t1 - t0) / 500_000.0, (t2 - t1) / 500_000.0, hits / 10, candidates / 10, plan.termCount());
                }
            }
        }
    }
}
