package org.fewner.cli.arch.cyclefixture.a;

import org.fewner.cli.arch.cyclefixture.b.B;

/** Half of a deliberate package cycle: shows that the cycle rule can fail. */
public class A {
    B b;
}
