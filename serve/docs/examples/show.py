# Prints begin end label score text | explanation of each prediction in a /predict answer (stdin).
import json, sys, re
import xml.etree.ElementTree as ET
doc = json.load(sys.stdin)["document"]
root = ET.fromstring(doc)
ns = {"cas": "http:///uima/cas.ecore"}
text = root.find("cas:Sofa", ns).get("sofaString")
for el in root:
    if el.tag.endswith("}NamedEntity") and el.get("inception_internal_predicted") == "true":
        b, e = int(el.get("begin")), int(el.get("end"))
        print(b, e, el.get("value"), "%.3f" % float(el.get("value_score")), repr(text[b:e]), "|", el.get("value_score_explanation"))
