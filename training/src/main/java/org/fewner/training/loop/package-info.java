/**
 * The one training loop of FewNER's trainers ({@link org.fewner.training.loop.TrainingLoop}): step
 * iteration, AdamW and its schedule, the JSON-lines log, the progress bar, atomic checkpoints and
 * resume. The span and generative trainers supply their step functions.
 */
package org.fewner.training.loop;
