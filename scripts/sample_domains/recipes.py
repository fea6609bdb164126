"""Recipes: the ingredients table (flat, 4 to 16 rows; quantities or notes may be absent and are then null),
written as a bullet list, a pipe table or run-on prose, some in French; and recipe cards (kv_single)."""

from __future__ import annotations

import random

from .common import Sample, flat_sample, kv_document, kv_sample, markdown, maybe_words, person, sentences, words

DOMAIN = "recipe"
GROUPS = 22
# one ingredient per entry, "name|unit|low|high|step|note;note" (high 0: no quantity given), in recipe order
DISHES = {
    "Smoky chickpea stew": [
        "olive oil|tbsp|1|3|1|", "red onion||1|2|1|finely chopped;sliced", "garlic cloves||2|5|1|crushed",
        "smoked paprika|tsp|1|3|1|", "ground cumin|tsp|1|2|1|", "chilli flakes|tsp|1|1|1|optional",
        "tinned chickpeas|g|400|800|400|drained", "chopped tomatoes|g|400|800|400|",
        "vegetable stock|ml|250|750|250|hot", "baby spinach|g|50|200|50|", "lemon||1|1|1|juice only",
        "fresh coriander||0|0|0|a small bunch, chopped", "natural yoghurt|g|100|200|50|to serve",
        "flatbreads||2|4|1|warmed", "salt||0|0|0|to taste", "black pepper||0|0|0|"],
    "Lemon barley risotto": [
        "olive oil|tbsp|1|2|1|", "unsalted butter|g|25|50|25|cubed", "shallots||2|3|1|finely chopped",
        "garlic cloves||2|3|1|minced", "pearl barley|g|200|300|50|rinsed", "dry white wine|ml|100|150|50|",
        "vegetable stock|ml|750|1250|250|hot", "lemon||1|2|1|zest and juice", "parmesan|g|40|80|10|finely grated",
        "frozen peas|g|100|200|50|", "baby spinach|g|50|100|50|", "fresh thyme||0|0|0|a few sprigs",
        "salt||0|0|0|to taste", "black pepper||0|0|0|freshly ground"],
    "Brown butter oat cookies": [
        "unsalted butter|g|125|175|25|browned and cooled", "light brown sugar|g|100|150|25|",
        "caster sugar|g|50|75|25|", "eggs||1|1|1|at room temperature", "vanilla extract|tsp|1|2|1|",
        "plain flour|g|150|200|25|", "rolled oats|g|100|150|25|", "baking powder|tsp|1|1|1|", "salt||0|0|0|a pinch",
        "dark chocolate|g|100|150|25|chopped", "sea salt flakes||0|0|0|for sprinkling"],
    "Chocolate olive oil cake": [
        "dark chocolate|g|150|200|25|70% cocoa, chopped", "olive oil|ml|100|150|25|mild", "eggs||3|4|1|separated",
        "caster sugar|g|150|200|25|", "ground almonds|g|100|150|25|", "cocoa powder|tbsp|2|3|1|sifted",
        "baking powder|tsp|1|1|1|", "salt||0|0|0|a pinch", "orange||1|1|1|zest only",
        "double cream|ml|150|300|50|to serve", "icing sugar||0|0|0|for dusting"],
    "Honey soy chicken traybake": [
        "chicken thighs|g|600|1000|100|boneless, skin on", "soy sauce|tbsp|2|4|1|", "honey|tbsp|2|3|1|",
        "garlic cloves||3|4|1|grated", "fresh ginger|cm|2|4|1|grated", "sesame oil|tsp|1|2|1|",
        "rice vinegar|tbsp|1|2|1|", "red onion||1|2|1|cut into wedges", "broccoli||1|1|1|head, in florets",
        "spring onions||3|4|1|sliced", "sesame seeds|tbsp|1|2|1|toasted", "cooked rice||0|0|0|to serve",
        "black pepper||0|0|0|"],
    "Weeknight dal": [
        "red lentils|g|200|300|50|rinsed", "vegetable oil|tbsp|1|2|1|", "red onion||1|1|1|finely chopped",
        "garlic cloves||3|4|1|crushed", "fresh ginger|cm|2|3|1|grated", "ground cumin|tsp|1|2|1|",
        "ground turmeric|tsp|1|1|1|", "garam masala|tsp|1|2|1|", "chopped tomatoes|g|400|400|400|",
        "coconut milk|ml|200|400|200|", "vegetable stock|ml|500|750|250|", "baby spinach|g|100|200|50|",
        "lemon||1|1|1|juice only", "fresh coriander||0|0|0|to garnish", "salt||0|0|0|to taste"],
    "Cardamom rice pudding": [
        "pudding rice|g|100|150|25|", "whole milk|ml|750|1000|250|", "double cream|ml|100|200|50|",
        "caster sugar|g|50|80|10|", "cardamom pods||4|8|1|lightly crushed", "unsalted butter|g|15|25|5|",
        "vanilla extract|tsp|1|1|1|", "nutmeg||0|0|0|freshly grated", "salt||0|0|0|a pinch"],
    "Spinach and feta pie": [
        "filo pastry|sheets|6|8|1|", "baby spinach|g|400|600|100|wilted and squeezed", "feta|g|200|250|50|crumbled",
        "ricotta|g|125|250|125|", "eggs||2|3|1|beaten", "red onion||1|1|1|finely chopped",
        "garlic cloves||2|2|1|crushed", "fresh dill||0|0|0|a handful, chopped", "olive oil|tbsp|3|4|1|for brushing",
        "nutmeg||0|0|0|a grating", "black pepper||0|0|0|", "sesame seeds|tbsp|1|1|1|"],
}
BAKED = ("Brown butter oat cookies", "Chocolate olive oil cake", "Spinach and feta pie")
METHOD = {"oven": ["Heat the oven to 180C (160C fan) and line a tin or tray.",
                   "Mix the dry ingredients in one bowl and the wet ones in another, then combine.",
                   "Bake until golden and just set; ovens vary, so start checking early.",
                   "Leave to cool in the tin for 10 minutes before turning out.",
                   "It keeps in an airtight container for three days."],
          "hob": ["Warm the oil in a large pan over a medium heat.",
                  "Soften the aromatics for five minutes, then add the rest and bring to a simmer.",
                  "Simmer gently for 20 minutes, stirring now and then.",
                  "Taste, adjust the seasoning and serve with whatever is listed as 'to serve'.",
                  "Leftovers freeze well for up to a month."]}
DISHES_FR = {
    "Gâteau au chocolat de grand-mère": [
        "chocolat noir|g|150|200|25|en morceaux", "beurre doux|g|100|150|25|fondu", "œufs||3|4|1|",
        "sucre en poudre|g|100|150|25|", "farine|g|50|75|25|tamisée", "levure chimique|c. à café|1|1|1|",
        "sel||0|0|0|une pincée"],
    "Quiche aux épinards": [
        "pâte brisée||1|1|1|un rouleau", "épinards frais|g|300|400|50|équeutés", "œufs||3|3|1|",
        "crème fraîche|ml|200|250|50|", "lait entier|ml|100|150|50|", "gruyère râpé|g|80|120|20|",
        "muscade||0|0|0|une pincée", "sel||0|0|0|selon le goût", "poivre noir||0|0|0|du moulin"],
    "Crêpes du dimanche": [
        "farine|g|250|250|25|", "œufs||3|4|1|", "lait entier|ml|500|500|50|", "beurre doux|g|30|50|10|fondu",
        "sucre en poudre|c. à soupe|1|2|1|", "sel||0|0|0|une pincée", "rhum||0|0|0|facultatif"],
}


def _ingredients(rng: random.Random, spec: list[str]) -> list[tuple[str, str | None, str | None, str | None]]:
    """(name, amount, unit, note) per ingredient, a few optional ones left out; None where nothing is given."""
    keep = [e for i, e in enumerate(spec) if i < 3 or rng.random() < 0.85]
    out = []
    for entry in keep:
        name, unit, lo, hi, step, notes = entry.split("|")
        amount = None if int(hi) == 0 else str(rng.randrange(int(lo), int(hi) + 1, int(step)))
        if amount is not None and not unit and rng.random() < 0.3:
            amount = words(int(amount))
        choices = [n for n in notes.split(";") if n]
        note = rng.choice(choices) if choices and rng.random() < 0.8 else None
        out.append((name, amount, unit or None, note))
    return out


def _ingredient_table(rng: random.Random) -> Sample:
    french = rng.random() < 0.25
    dish = rng.choice(sorted(DISHES_FR if french else DISHES))
    items = _ingredients(rng, (DISHES_FR if french else DISHES)[dish])
    split_unit = rng.random() < 0.4
    if french:
        headers = ["Ingrédient", "Quantité", "Unité", "Remarque"] if split_unit else ["Ingrédient", "Quantité", "Préparation"]
    else:
        headers = ([rng.choice(["Ingredient", "Item"]), rng.choice(["Qty", "Quantity", "Amount"])] +
                   (["Unit"] if split_unit else []) + [rng.choice(["Notes", "Preparation", "Prep"])])
    rows: list[list[str | None]] = []
    lines = []
    for name, amount, unit, note in items:
        qty = amount if split_unit or not unit or amount is None else f"{amount} {unit}"
        rows.append([name, qty] + ([unit if amount is not None else None] if split_unit else []) + [note])
        of = "de " if french and unit else ("" if french else ("of " if unit in ("tbsp", "tsp", "sheets") else ""))
        if french and unit and name[0] in "aeiouhéœ":
            of = "d'"
        text = " ".join(x for x in [amount, unit if amount else None] if x)
        lines.append(f"{text} {of}{name}".strip() + (f", {note}" if note else ""))
    serves = maybe_words(rng, rng.randint(2, 8))
    kind = rng.choice(["bullets", "bullets", "table", "prose"]) if not french else "bullets"
    if kind == "bullets":
        mark = rng.choice(["- ", "* ", "• "])
        body = ("Ingrédients :" if french else rng.choice(["Ingredients", "You will need:", "Ingredients:"])) + "\n" + \
            "\n".join(mark + line for line in lines)
    elif kind == "table":
        body = markdown(headers, rows, rng.choice(["—", "", "-"]))
    else:
        body = "For this you need " + "; ".join(lines[:-1]) + f"; and finally {lines[-1]}."
    if french:
        intro = f"{dish} — pour {serves} personnes. Une recette simple, transmise par ma tante."
        method = ("Préchauffer le four à 180 °C. Mélanger les ingrédients secs, puis incorporer le reste. "
                  "Cuire 25 à 30 minutes et laisser refroidir avant de servir.")
    else:
        intro = rng.choice([f"{dish} (serves {serves})", f"{dish}. This one feeds {serves} and keeps well for two days."])
        steps = METHOD["oven" if dish in BAKED else "hob"]
        method = sentences(rng, steps[:1] + [steps[i] for i in sorted(rng.sample(range(1, len(steps)), 3))], (2, 4))
    doc = "\n\n".join([intro, body, ("Préparation : " if french else "Method: ") + method])
    meta = {"language": "fr", "locale": "fr-FR"} if french else {"locale": rng.choice(["en-GB", "en-US"])}
    return flat_sample(doc, headers, rows, "ingredients", table_hint=rng.choice([None, "ingredients"]),
                       **meta)  # type: ignore[arg-type]


def _card(rng: random.Random) -> Sample:
    dish = rng.choice(sorted(DISHES))
    prep, cook = rng.choice([10, 15, 20, 25, 30]), rng.choice([15, 20, 30, 45, 60, 90])
    attrs = [(rng.choice(["Servings", "Serves", "Yield"]), maybe_words(rng, rng.randint(2, 10)),
              ["It serves {v}.", "The quantities make enough for {v}."]),
             (rng.choice(["Prep time", "Preparation time", "Active time"]), f"{prep} minutes",
              ["Preparation takes about {v}.", "Allow {v} of hands-on work."]),
             (rng.choice(["Cook time", "Cooking time"]), rng.choice([f"{cook} minutes", f"{cook} min"]),
              ["It then cooks for {v}.", "Cooking takes {v}."]),
             (rng.choice(["Calories", "Kcal per serving", "Energy"]), f"{rng.randint(180, 780)} kcal",
              ["Each portion has roughly {v}.", "A serving comes to about {v}."]),
             (rng.choice(["Difficulty", "Level"]), rng.choice(["easy", "medium", "a little effort"]),
              ["Difficulty: {v}.", "We would rate it {v}."]),
             (rng.choice(["Cuisine", "Origin"]), rng.choice(["Middle Eastern", "Italian", "British", "Indian", "Korean"]),
              ["The flavours are broadly {v}.", "It draws on {v} home cooking."]),
             (rng.choice(["Author", "Recipe by"]), person(rng), ["The recipe comes from {v}.", "{v} developed it."]),
             (rng.choice(["Vegetarian", "Suitable for vegetarians"]), rng.choice(["yes", "no"]),
              ["Vegetarian: {v}."])]
    keep = attrs[:2] + [a for a in attrs[2:] if rng.random() < 0.65]
    lead = rng.choice([f"{dish} — recipe card.", f"Our readers' favourite this month: {dish}."]) + " " + " ".join(
        rng.sample(["It is the kind of dish that tastes better the next day.", "Most of the work is waiting.",
                    "Nothing in it is hard to find in an ordinary supermarket.",
                    "We tested it three times with different pans and ovens.",
                    "Children tend to like it, which is a bonus on a school night."], 2))
    outro = rng.choice(["Nutrition figures are estimates per serving.", "Tested in a conventional oven."])
    _, doc = kv_document(rng, lead, keep, outro=outro, list_intro="At a glance:", table_headers=("Item", "Details"))
    return kv_sample(doc, [(rng.choice(["Recipe", "Dish", "Title"]), dish)] + [(k, v) for k, v, _ in keep],
                     "recipe_card", locale=rng.choice(["en-GB", "en-US"]))


def make_group(rng: random.Random, index: int) -> list[Sample]:
    return [_card(rng)] if index % 3 == 2 else [_ingredient_table(rng)]
