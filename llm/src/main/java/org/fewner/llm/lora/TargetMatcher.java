package org.fewner.llm.lora;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEFT's {@code check_target_module_exists} (tuners_utils.py): whether a LoRA config selects a
 * module name. The name is the one inside the model PEFT wrapped, e.g. {@code
 * model.layers.0.self_attn.q_proj}.
 *
 * <ol>
 *   <li>{@code exclude_modules} (list: exact or '.'-suffix; string: fullmatch) wins;
 *   <li>regex target: fullmatch on the whole name (layers_to_transform is not consulted, as in
 *       PEFT);
 *   <li>list target: an exact name matches at once; a '.'-suffix match is then limited by {@code
 *       layers_to_transform}: the layer index is the number after {@code .<layers_pattern>.} (any
 *       component when no pattern is given), e.g. 3 in {@code model.layers.3.mlp.up_proj};
 *   <li>all-linear: every linear module but the output layer (the caller passes that set).
 * </ol>
 */
public final class TargetMatcher {
    private static final Pattern ANY_LAYER = Pattern.compile(".*?\\.[^.]*\\.(\\d+)\\..*");

    private TargetMatcher() {}

    /**
     * @param config the adapter config
     * @param key module name as PEFT sees it
     * @param allLinearKeys for {@code "all-linear"}: the names of every linear module except the
     *     output layer (ignored for the other forms)
     */
    public static boolean matches(LoraConfig config, String key, Set<String> allLinearKeys) {
        TargetModules ex = config.excludeModules();
        if (ex instanceof TargetModules.Names n && n.matches(key)) {
            return false;
        }
        if (ex instanceof TargetModules.Regex x && x.matches(key)) {
            return false;
        }
        TargetModules tm = config.targetModules();
        if (tm instanceof TargetModules.AllLinear) {
            return allLinearKeys.contains(key);
        }
        if (tm instanceof TargetModules.Regex x) {
            return x.matches(key);
        }
        TargetModules.Names names = (TargetModules.Names) tm;
        if (names.exact(key)) {
            return true;
        }
        if (!names.matches(key)) {
            return false;
        }
        if (config.layersToTransform() == null || config.layersToTransform().isEmpty()) {
            return true;
        }
        Integer idx = layerIndex(key, config.layersPattern());
        return idx != null && config.layersToTransform().contains(idx);
    }

    /** The layer index PEFT reads from a module name, or null when the name has none. */
    static Integer layerIndex(String key, java.util.List<String> layersPattern) {
        Matcher m = null;
        if (layersPattern == null || layersPattern.isEmpty()) {
            m = ANY_LAYER.matcher(key);
            if (!m.lookingAt()) {
                return null;
            }
        } else {
            boolean found = false;
            for (String p : layersPattern) {
                m = Pattern.compile(".*?\\." + p + "\\.(\\d+)\\.").matcher(key);
                if (m.lookingAt()) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return null;
            }
        }
        return Integer.parseInt(m.group(1));
    }
}
