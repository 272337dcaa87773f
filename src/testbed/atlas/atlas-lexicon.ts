/**
 * The fixed words of Atlas: its six relations and their values. Everything is lowercase and every
 * value is one or two words (about a quarter are two, so an answer is not always one token).
 * Values are ordinary English words on purpose: the world is made up, its vocabulary is not.
 */
export const relationNames = ["city", "job", "pet", "color", "sport", "instrument"] as const;
export type Relation = (typeof relationNames)[number];

/** The values each relation takes (city 32, job 32, pet 16, color 12, sport 16, instrument 16). */
export const relationValues: Record<Relation, readonly string[]> = {
  city: list(
    "paris, rome, london, berlin, madrid, vienna, oslo, cairo, lima, tokyo, delhi, " +
      "dublin, lisbon, prague, athens, moscow, sydney, toronto, boston, denver, chicago, " +
      "seattle, miami, dallas, new york, san diego, hong kong, cape town, tel aviv, " +
      "kuala lumpur, las vegas, santa fe",
  ),
  job: list(
    "baker, potter, farmer, doctor, teacher, lawyer, painter, pilot, sailor, nurse, " +
      "dentist, writer, singer, dancer, tailor, butcher, chef, judge, miner, banker, " +
      "plumber, carpenter, poet, actor, bus driver, fire fighter, police officer, " +
      "web designer, truck driver, shop keeper, dog walker, bank clerk",
  ),
  pet: list(
    "cat, dog, rabbit, parrot, hamster, turtle, goldfish, snake, horse, pony, ferret, " +
      "lizard, guinea pig, hermit crab, tree frog, barn owl",
  ),
  color: list(
    "red, blue, green, yellow, purple, orange, pink, black, white, navy blue, " +
      "lime green, light gray",
  ),
  sport: list(
    "tennis, chess, golf, rugby, soccer, cricket, boxing, rowing, skiing, judo, karate, " +
      "cycling, ice hockey, table tennis, water polo, rock climbing",
  ),
  instrument: list(
    "piano, violin, guitar, flute, drums, cello, harp, trumpet, banjo, clarinet, oboe, " +
      "tuba, bass guitar, french horn, steel drums, bag pipes",
  ),
};

/** A comma-separated word list (kept as text so the lists stay compact). */
function list(text: string): readonly string[] {
  return text.split(",").map((v) => v.trim());
}

/** "a" or "an" before a value (by its first letter: the world has no silent-h words). */
export function article(value: string): string {
  return /^[aeiou]/.test(value) ? "an" : "a";
}
