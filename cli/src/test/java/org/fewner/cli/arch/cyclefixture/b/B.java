package org.fewner.cli.arch.cyclefixture.b;

import org.fewner.cli.arch.cyclefixture.a.A;

/** The other half of the deliberate package cycle. */
public class B {
    A a;
}
