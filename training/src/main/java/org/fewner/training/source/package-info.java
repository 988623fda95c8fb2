/**
 * Training sources: the one intake of {@code FORMAT:FILE[@N]} specifications ({@link
 * org.fewner.training.source.SourceIntake}), the readers behind it ({@link
 * org.fewner.training.source.SourceCorpora}), evaluation targets ({@link
 * org.fewner.training.source.TargetFiles}, Few-NERD episodes: {@link
 * org.fewner.training.source.Episodes}) and how {@code training.json} names a file ({@link
 * org.fewner.training.source.FileRef}).
 */
package org.fewner.training.source;
