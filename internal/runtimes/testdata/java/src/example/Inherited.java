package example;

/** RequestHandler's input type bound through a generic superclass. */
public class Inherited extends GenericBase<Person> {
    @Override
    String describe(Person p) {
        return p.getName() + " is " + p.getAge();
    }
}
